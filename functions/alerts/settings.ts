// Alerting settings: one typed object with the names of alerting.md, defaults, and a validator whose errors
// name the setting and the fix. Durations are minutes.

import type { AlertSeverity } from './event.ts';

/** `auto`: 3 × the median gap between recent runs (at least 2 h; 26 h while fewer than 3 runs are known). */
export type StaleSetting = 'auto' | 'off' | number;

export interface Settings {
  /** Results that alert; a result not listed counts as healthy. */
  alertOn: AlertSeverity[];
  /** Minutes a failed run is held for a retry to recover it; 0 sends every failed run at once. */
  retryHold: number;
  /** Minutes between reminders while a subject stays failing; 0 turns reminders off. */
  repeat: number;
  stale: StaleSetting;
  /** Per job or policy (by name or uid): its own stale threshold. */
  staleOverrides: Record<string, StaleSetting>;
  /** Consecutive failed polls of an EM before it is reported unreachable. */
  unreachableAfter: number;
  /** Minutes: on first sight of a subject, runs that ended earlier only seed its state. */
  lookback: number;
  /**
   * Minutes: how late the EM may collect a session from its backup server and still have it alerted (an
   * unreachable backup server's backlog, a long collection period). Each poll re-reads no further back.
   */
  collectionLag: number;
  cdp: boolean;
  /** Globs (`*`, `?`, case-insensitive) over job and policy names; empty includes every name. */
  include: string[];
  exclude: string[];
  /** Job or policy names or uids, or EM names, that never alert (exact, case-insensitive). */
  muted: string[];
  /** IANA time zone for human-readable times. */
  timeZone: string;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  alertOn: ['Failed', 'Warning'] as AlertSeverity[],
  retryHold: 15,
  repeat: 24 * 60,
  stale: 'auto',
  staleOverrides: {},
  unreachableAfter: 3,
  lookback: 24 * 60,
  collectionLag: 24 * 60,
  cdp: true,
  include: [],
  exclude: [],
  muted: [],
  timeZone: 'UTC',
});

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

/** Fills defaults into `input` (a partial settings object, e.g. parsed JSON) and checks every value. */
export function validateSettings(input: unknown): SettingsResult {
  const errors: string[] = [];
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: ['settings: expected an object of settings, e.g. {"retryHold": 15}.'] };
  }
  const given = input as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(name in DEFAULT_SETTINGS)) {
      errors.push(
        `${name}: unknown setting; known settings are ${Object.keys(DEFAULT_SETTINGS).join(', ')}.`,
      );
    }
  }
  const settings = { ...DEFAULT_SETTINGS, ...given } as Settings;
  const check = (ok: boolean, message: string) => {
    if (!ok) errors.push(message);
  };
  check(
    Array.isArray(settings.alertOn) &&
      settings.alertOn.length > 0 &&
      settings.alertOn.every((r) => r === 'Failed' || r === 'Warning'),
    'alertOn: give a non-empty list of "Failed" and/or "Warning", e.g. ["Failed", "Warning"].',
  );
  check(isMinutes(settings.retryHold, 24 * 60), 'retryHold: give whole minutes from 0 to 1440 (default 15).');
  check(
    isMinutes(settings.repeat, 30 * 24 * 60),
    'repeat: give whole minutes from 0 (off) to 43200 (default 1440).',
  );
  check(isStale(settings.stale), `stale: ${STALE_FIX}`);
  if (!isRecord(settings.staleOverrides)) {
    errors.push(
      'staleOverrides: give an object of job name or uid to a stale setting, e.g. {"Weekly DR": 20160}.',
    );
  } else {
    for (const [name, value] of Object.entries(settings.staleOverrides)) {
      check(isStale(value), `staleOverrides["${name}"]: ${STALE_FIX}`);
    }
  }
  check(
    Number.isInteger(settings.unreachableAfter) &&
      settings.unreachableAfter >= 1 &&
      settings.unreachableAfter <= 1000,
    'unreachableAfter: give a whole number of polls from 1 to 1000 (default 3).',
  );
  check(
    isMinutes(settings.lookback, 31 * 24 * 60),
    'lookback: give whole minutes from 0 to 44640 (default 1440).',
  );
  check(
    isMinutes(settings.collectionLag, 7 * 24 * 60) && settings.collectionLag >= 60,
    'collectionLag: give whole minutes from 60 to 10080 (default 1440).',
  );
  check(typeof settings.cdp === 'boolean', 'cdp: give true or false (default true).');
  for (const name of ['include', 'exclude', 'muted'] as const) {
    check(
      Array.isArray(settings[name]) && settings[name].every((p) => typeof p === 'string' && p.trim() !== ''),
      `${name}: give a list of non-empty strings, e.g. ["SQL*"].`,
    );
  }
  check(
    isTimeZone(settings.timeZone),
    `timeZone: "${String(settings.timeZone)}" is not an IANA time zone; use e.g. "UTC" or "Europe/Berlin".`,
  );
  return errors.length ? { ok: false, errors } : { ok: true, settings };
}

const STALE_FIX = 'give "auto" (3 × the median gap between runs), "off", or whole minutes from 10 to 527040.';

function isMinutes(value: unknown, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

function isStale(value: unknown): value is StaleSetting {
  return (
    value === 'auto' ||
    value === 'off' ||
    (Number.isInteger(value) && (value as number) >= 10 && (value as number) <= 527_040)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
