// Small readers for untyped settings JSON: each returns the typed value or undefined, and on a bad value records
// one problem that names the setting's path and the fix. All problems are collected, so an admin fixes them in
// one pass instead of one `cdk synth` per typo.

import { redactUrl } from '../../functions/em/config.ts';

export class Problems {
  readonly list: string[] = [];

  add(path: string, fix: string): undefined {
    this.list.push(`${path}: ${fix}`);
    return undefined;
  }
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose keys are all known; a misspelt key is a problem, not a silently ignored setting. */
export function readObject(
  value: unknown,
  path: string,
  known: readonly string[],
  problems: Problems,
  example: string,
): Json | undefined {
  if (!isObject(value)) return problems.add(path, `give an object, e.g. ${example}.`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      problems.add(`${path}.${key}`, `unknown setting; known here: ${known.join(', ')}.`);
  }
  return value;
}

export function readString(
  value: unknown,
  path: string,
  pattern: RegExp,
  problems: Problems,
  fix: string,
): string | undefined {
  if (typeof value === 'string' && pattern.test(value)) return value;
  return problems.add(path, fix);
}

/**
 * An https:// URL with no user name or password in it: settings land in the CloudFormation template, which anyone
 * who may read the stack can see. `credentials` says where they go instead.
 */
export function readHttpsUrl(
  value: unknown,
  path: string,
  problems: Problems,
  fix: string,
  credentials: string,
): URL | undefined {
  if (typeof value !== 'string') return problems.add(path, fix);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problems.add(path, `"${redactUrl(value)}" is not a URL; ${fix}`);
  }
  if (url.protocol !== 'https:') return problems.add(path, `use https:// (got ${url.protocol}); ${fix}`);
  if (url.username || url.password) {
    return problems.add(path, `remove the user name or password from the URL; ${credentials}`);
  }
  return url;
}

/** An integer in [min, max], or `fallback` when absent. */
export function readInteger(
  value: unknown,
  path: string,
  range: { min: number; max: number; fallback: number },
  problems: Problems,
): number | undefined {
  if (value === undefined) return range.fallback;
  if (Number.isInteger(value) && (value as number) >= range.min && (value as number) <= range.max) {
    return value as number;
  }
  return problems.add(
    path,
    `give a whole number from ${range.min} to ${range.max} (default ${range.fallback}).`,
  );
}

/** A list (absent means empty) whose items are read one by one with their index in the path. */
export function readList<T>(
  value: unknown,
  path: string,
  problems: Problems,
  item: (value: unknown, path: string) => T | undefined,
): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(path, 'give a list (JSON array), e.g. [].');
    return [];
  }
  return value.flatMap((entry, i) => {
    const read = item(entry, `${path}[${i}]`);
    return read === undefined ? [] : [read];
  });
}
