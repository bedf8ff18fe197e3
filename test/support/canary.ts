// The one password every test user logs on with, and the detector for it. The whole run is checked with it
// (canary-guard.ts): it must show in no output, snapshot or file the tests leave, plain or base64-encoded.
// Nothing here may import the code under test: vitest.config.ts loads this module too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from '../../functions/simulator/index.ts';

/** Recognisable, and unchanged by JSON, XML, HTML or URL escaping, so one search finds every form of it. */
export const CANARY = 'Canary-Pw-9f27!x';

/** A test account with the canary password. */
export const canaryUser = (username: string, role: User['role'] = 'portal-user'): User => ({
  username,
  password: CANARY,
  role,
});

/** `username:password` in base64, as a Basic `Authorization` header (or a proxy's log of one) carries it. */
export const basicOf = (user: Pick<User, 'username' | 'password'>): string =>
  Buffer.from(`${user.username}:${user.password}`).toString('base64');

/**
 * The canary inside any base64 text, whatever precedes it (a user name and a colon, a secret's JSON): base64
 * encodes 3-byte groups, so there is one fragment per offset of the canary modulo 3, made of the groups that
 * hold canary bytes only. Each canary user's Basic credentials contain one of them.
 */
export const CANARY_BASE64: readonly string[] = [0, 1, 2].map((offset) => {
  const encoded = Buffer.from(`${'_'.repeat(offset)}${CANARY}`).toString('base64');
  const first = Math.ceil(offset / 3) * 4; // the first group starting inside the canary
  const whole = Math.floor((offset + CANARY.length) / 3) * 4; // groups that end inside it
  return encoded.slice(first, whole);
});

/** The forms of the canary found in `text`, by description (never the canary itself, which would leak it). */
export function findCanary(text: string): string[] {
  const found = text.includes(CANARY) ? ['the canary password'] : [];
  CANARY_BASE64.forEach((fragment, offset) => {
    if (text.includes(fragment)) found.push(`the canary in base64 (offset ${offset})`);
  });
  return found;
}

/** Every file under `dir` (recursively; those `wanted`, by path) holding the canary, and what it holds. */
export function scanTree(dir: string, wanted: (path: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(wanted)
    .flatMap((path) => {
      const found = findCanary(readFileSync(path, 'latin1')); // any bytes; the canary is ASCII
      return found.length ? [`${path}: ${found.join(', ')}`] : [];
    });
}
