// Command-line parsing on node:util's parseArgs: strict (unknown flags are rejected with the valid ones listed),
// plus the flags the commands share: how to reach an EM (poll, check), and the settings turned into the alert
// engine's settings object.

import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Settings, validateSettings } from '../alerts/index.ts';
import { apiBase, type Credentials, redactUrl } from '../em/config.ts';
import type { Io } from './io.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Wrong usage: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A setting the environment lacks or a resource it names is missing: one line that says what to do, exit 2. */
export class SetupError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

/** An `--em-url`, checked before anything is sent; an error never echoes a user name or password in it. */
export function emUrl(url: string): URL {
  try {
    return apiBase('em', url);
  } catch (error) {
    throw new UsageError(`--em-url ${redactUrl(url)}: ${(error as Error).message}`);
  }
}

/** How poll and check trust and log on to an EM; the URL flag is each command's own (repeatable in poll only). */
export const EM_OPTIONS = {
  'ca-file': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  debug: { type: 'boolean' },
} as const satisfies Options;

export const EM_HELP = `  --ca-file PEM          CA bundle that issued the EM's certificate (self-signed EMs: the certificate)
  --insecure-skip-tls-verify   do not verify the EM's certificate (insecure; warned about on every run)
  --password-stdin       read the EM password from stdin instead of EM_PASSWORD
  --debug                show stack traces and every log line

Credentials: EM_USERNAME and EM_PASSWORD (or --password-stdin), never a flag.`;

/** The credentials and the CA bundle the EM flags name, checked before anything is sent (else a usage error). */
export async function emAccess(
  values: { 'ca-file'?: string | undefined; 'password-stdin'?: boolean | undefined },
  io: Io,
): Promise<{ credentials: Credentials; caPem: string | undefined }> {
  const username = io.env.EM_USERNAME ?? '';
  const password = values['password-stdin']
    ? (await io.readStdin()).replace(/\r?\n$/, '')
    : (io.env.EM_PASSWORD ?? '');
  if (!username || !password) {
    throw new UsageError('Set EM_USERNAME and EM_PASSWORD (or pipe the password with --password-stdin).');
  }
  return {
    credentials: { username, password },
    caPem: values['ca-file'] ? readCa(values['ca-file']) : undefined,
  };
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca-file ${path}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new UsageError(`--ca-file ${path}: no PEM certificate in it.`);
  return pem;
}

export const SETTINGS_OPTIONS = {
  settings: { type: 'string' },
  'alert-on': { type: 'string' },
  'retry-hold': { type: 'string' },
  repeat: { type: 'string' },
  stale: { type: 'string' },
  'unreachable-after': { type: 'string' },
  lookback: { type: 'string' },
  'collection-lag': { type: 'string' },
  'missed-run-grace': { type: 'string' },
  'no-cdp': { type: 'boolean' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  mute: { type: 'string', multiple: true },
  'time-zone': { type: 'string' },
  'group-above': { type: 'string' },
} as const satisfies Options;

export const SETTINGS_HELP = `Settings (override --settings FILE, a JSON object of the same settings):
  --alert-on Failed,Warning   results that alert (default both)
  --retry-hold DURATION       hold a failed run this long for a retry to recover it (default 15m; 0 = off)
  --repeat DURATION           remind while a job keeps failing (default 24h; 0 = off)
  --stale auto|off|DURATION   report jobs that stopped running (default auto: 3 x the median gap)
  --unreachable-after N       failed polls before an EM is reported unreachable (default 3)
  --lookback DURATION         how far back a first poll reads (default 24h)
  --collection-lag DURATION   how long a backup server may go uncollected by the EM and still alert (default 24h)
  --missed-run-grace DURATION how long after a scheduled run was due a job with no session is stale (default 30m)
  --no-cdp                    skip CDP policies
  --include GLOB, --exclude GLOB   job/policy names to watch or skip (repeatable; * and ?)
  --mute NAME                 a job, policy or EM that never alerts (repeatable)
  --time-zone ZONE            IANA zone for human-readable times (default UTC)
  --group-above N             more alerts than N at once: one e-mail, SMS, chat message per kind (default 5; 0 = off)
DURATION is minutes, or a number with m, h or d (90m, 6h, 2d).`;

export function parse<T extends Options>(args: string[], options: T, command: string, positionals = false) {
  try {
    const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
    return parseArgs({ args, options: all, strict: true, allowPositionals: positionals });
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    // parseArgs calls a value-taking flag followed by another flag "ambiguous": it is a missing value.
    const valueless = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(
      message,
    );
    if (valueless) throw new UsageError(`${valueless[1]} needs a value: ${valueless[1]} VALUE.`);
    const first = message.split('\n')[0] ?? message;
    if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(first);
    const valid = [...Object.keys(options), 'help'].map((name) => `--${name}`).join(', ');
    throw new UsageError(`${first}\n${command} accepts: ${valid}`);
  }
}

/** Minutes from `90`, `90m`, `6h` or `2d`. */
export function minutes(flag: string, text: string): number {
  const m = /^(\d+)(m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag}: "${text}" is not a duration; use minutes or e.g. 90m, 6h, 2d.`);
  return Number(m[1]) * { m: 1, h: 60, d: 1440 }[(m[2] ?? 'm') as 'm' | 'h' | 'd'];
}

type SettingsValues = { [K in keyof typeof SETTINGS_OPTIONS]?: unknown };

export function settingsFrom(values: SettingsValues): Settings {
  const input: Record<string, unknown> = {};
  if (typeof values.settings === 'string') {
    try {
      Object.assign(input, JSON.parse(readFileSync(values.settings, 'utf8')));
    } catch (error) {
      throw new UsageError(`--settings ${values.settings}: ${(error as Error).message}`);
    }
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : undefined);
  const set = (name: string, value: unknown) => {
    if (value !== undefined) input[name] = value;
  };
  set(
    'alertOn',
    text(values['alert-on'])
      ?.split(',')
      .map((r) => r.trim()),
  );
  for (const [flag, name] of [
    ['retry-hold', 'retryHold'],
    ['repeat', 'repeat'],
    ['lookback', 'lookback'],
    ['collection-lag', 'collectionLag'],
    ['missed-run-grace', 'missedRunGrace'],
  ] as const) {
    const value = text(values[flag]);
    if (value !== undefined) input[name] = minutes(flag, value);
  }
  const stale = text(values.stale);
  if (stale !== undefined)
    input.stale = stale === 'auto' || stale === 'off' ? stale : minutes('stale', stale);
  for (const [flag, name] of [
    ['unreachable-after', 'unreachableAfter'],
    ['group-above', 'groupAbove'],
  ] as const) {
    const value = text(values[flag]);
    if (value !== undefined) input[name] = Number(value);
  }
  if (values['no-cdp']) input.cdp = false;
  set('include', list(values.include));
  set('exclude', list(values.exclude));
  set('muted', list(values.mute));
  set('timeZone', text(values['time-zone']));
  const checked = validateSettings(input);
  if (!checked.ok) throw new UsageError(`Invalid settings:\n- ${checked.errors.join('\n- ')}`);
  return checked.settings;
}
