// Alerting settings: their names, defaults and checks in one schema, from which the types come. The Lambda
// (SETTINGS), the CLI (--settings FILE and its flags) and the stack (`alerting`) all check them with it, so what
// synthesises is exactly what runs. Durations are minutes; each problem names the setting and the fix.

import * as z from 'zod';
import { CATALOGUE } from '../hints/catalogue.ts';
import { patternProblem } from '../hints/pattern.ts';
import { problemLines, settingsObject, text } from '../problems.ts';
import type { AlertSeverity } from './event.ts';

const RESULTS = ['Failed', 'Warning'] as const satisfies readonly AlertSeverity[];
const ALERT_ON_FIX = 'give a non-empty list of "Failed" and/or "Warning", e.g. ["Failed", "Warning"].';
const ONE_RESULT = 'give "Failed" or "Warning".';
const STALE_FIX = 'give "auto" (3 × the median gap between runs), "off", or whole minutes from 10 to 527040.';

const wholeMinutes = (max: number, fix: string) => z.int({ error: fix }).min(0).max(max);

/** Every part of the union says the same fix: which part an admin got wrong does not matter. */
const stale = z
  .union([z.enum(['auto', 'off'], { error: STALE_FIX }), z.int({ error: STALE_FIX }).min(10).max(527_040)], {
    error: STALE_FIX,
  })
  .meta({
    description:
      '"auto": 3 × the median gap between recent runs (at least 2 h; 26 h while fewer than 3 runs are known); "off"; or minutes (10-527040).',
  });

const names = (fix: string, item: string) =>
  z.array(z.string({ error: item }).regex(/\S/, item), { error: fix }).default(() => []);

const timeZoneFix = (issue: { input?: unknown }) =>
  `"${String(issue.input)}" is not an IANA time zone; use e.g. "UTC" or "Europe/Berlin".`;
const timeZone = z.string({ error: timeZoneFix }).refine(isTimeZone, { error: timeZoneFix });

export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const NON_EMPTY = /\S/;

const maintenanceWindow = settingsObject(
  {
    name: text(NON_EMPTY, 'give the window a name, e.g. "Patch night".'),
    days: z
      .array(z.enum(DAYS, { error: `give days as ${DAYS.join(', ')}.` }), {
        error: 'give a list of days, e.g. ["Sat"].',
      })
      .min(1, 'give at least one day, e.g. ["Sat"].'),
    start: text(/^([01]\d|2[0-3]):[0-5]\d$/, 'give the local start time as HH:MM, e.g. "22:00".'),
    duration: z
      .int({ error: 'give whole minutes from 1 to 10080 (a week), e.g. 240.' })
      .min(1)
      .max(7 * 24 * 60),
    timeZone: timeZone.optional().meta({ description: 'IANA time zone of `start`; default: `timeZone`.' }),
    job: text(NON_EMPTY, 'give a non-empty glob, e.g. "SQL*".').optional(),
    server: text(NON_EMPTY, 'give a non-empty glob over backup server names, e.g. "vbr02*".').optional(),
    em: text(NON_EMPTY, "give an Enterprise Manager's configured name.").optional(),
  },
  'give a window, e.g. {"name": "Patch night", "days": ["Sat"], "start": "22:00", "duration": 240}.',
);

const HINT_TEXT = /^(?=.*\S)[^\n]{1,500}$/;
const localHint = settingsObject(
  {
    id: text(/^[a-z0-9][a-z0-9-]{0,62}$/, 'give a kebab-case id, e.g. "our-san-path-down".'),
    pattern: z
      .string({ error: 'give a plain-text pattern, e.g. "failed to freeze guest.*wait timeout".' })
      .superRefine((pattern, ctx) => {
        const problem = patternProblem(pattern);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({
        description:
          'Plain text, case-insensitive: "|" between alternatives, ".*" for any text between phrases; no regex syntax.',
      }),
    cause: text(HINT_TEXT, 'give the cause in plain words, one line of at most 500 characters.'),
    steps: z
      .array(text(HINT_TEXT, 'give a step as one line of at most 500 characters.'), {
        error: 'give a list of one to three steps, e.g. ["Check the SAN path to esx03."].',
      })
      .min(1, 'give one to three steps.')
      .max(3, 'give one to three steps.'),
    url: text(/^https?:\/\/\S{1,490}$/, 'give the http(s) URL of the page the steps come from.'),
  },
  'give a hint, e.g. {"id": "our-san", "pattern": "path down", "cause": "...", "steps": ["..."], "url": "https://..."}.',
);

export const settingsSchema = settingsObject(
  {
    alertOn: z
      .array(
        z.enum(RESULTS, {
          error: (issue) => `"${String(issue.input)}" is not a result that alerts; ${ONE_RESULT}`,
        }),
        {
          error: ALERT_ON_FIX,
        },
      )
      .min(1, ALERT_ON_FIX)
      .default(() => [...RESULTS])
      .meta({ description: 'Results that alert; a result not listed counts as healthy.' }),
    retryHold: wholeMinutes(24 * 60, 'give whole minutes from 0 to 1440 (default 15).')
      .default(15)
      .meta({
        description:
          "Minutes a failed run is held for Veeam's retry to recover it; 0 sends every failed run at once.",
      }),
    repeat: wholeMinutes(30 * 24 * 60, 'give whole minutes from 0 (off) to 43200 (default 1440).')
      .default(24 * 60)
      .meta({ description: 'Minutes between reminders while a job stays failing; 0 turns reminders off.' }),
    stale: stale.default('auto'),
    staleOverrides: z
      .record(z.string(), stale, {
        error: 'give an object of job name or uid to a stale setting, e.g. {"Weekly DR": 20160}.',
      })
      .default(() => ({}))
      .meta({ description: 'Per job or policy (by name or uid): its own stale setting.' }),
    missedRunGrace: z
      .int({ error: 'give whole minutes from 5 to 1440 (default 30).' })
      .min(5)
      .max(24 * 60)
      .default(30)
      .meta({
        description:
          'Minutes after a run the EM scheduled (its NextRun) was due before the job counts as stale when no session started; needs the EM role Portal Administrator, else only the median gap is used.',
      }),
    maxRunDuration: z
      .record(
        z.string().regex(/\S/, 'give a non-empty glob, e.g. "SQL*".'),
        z
          .int({ error: 'give whole minutes from 10 to 10080.' })
          .min(10)
          .max(7 * 24 * 60),
        { error: 'give an object of job name glob to minutes, e.g. {"SQL*": 120}.' },
      )
      .default(() => ({}))
      .meta({
        description:
          'Per replica job name or uid glob (the first that matches): minutes a run may take before it is reported running long; otherwise 3 x the median of its recent runs, at least 30.',
      }),
    rpoBreach: z
      .enum(['reported', 'Failed'], { error: 'give "reported" (as Veeam reports it) or "Failed".' })
      .default('reported')
      .meta({
        description:
          'CDP: a sync or policy session whose words say its RPO was breached alerts as Veeam reports it ("reported"), or always as Failed ("Failed").',
      }),
    unreachableAfter: z
      .int({ error: 'give a whole number of polls from 1 to 1000 (default 3).' })
      .min(1)
      .max(1000)
      .default(3)
      .meta({ description: 'Consecutive failed polls of an EM before it is reported unreachable.' }),
    lookback: wholeMinutes(31 * 24 * 60, 'give whole minutes from 0 to 44640 (default 1440).')
      .default(24 * 60)
      .meta({
        description: 'Minutes: on first sight of a job, runs that ended earlier only seed its state.',
      }),
    collectionLag: z
      .int({ error: 'give whole minutes from 60 to 10080 (default 1440).' })
      .min(60)
      .max(7 * 24 * 60)
      .default(24 * 60)
      .meta({
        description:
          'Minutes a backup server may go uncollected by the EM and its sessions still alert; each poll re-reads no further back.',
      }),
    cdp: z
      .boolean({ error: 'give true or false (default true).' })
      .default(true)
      .meta({ description: 'Watch CDP policies.' }),
    include: names('give a list of globs, e.g. ["SQL*"].', 'give a non-empty glob, e.g. "SQL*".').meta({
      description: 'Globs (`*`, `?`, case-insensitive) over job and policy names; empty includes every name.',
    }),
    exclude: names('give a list of globs, e.g. ["Test*"].', 'give a non-empty glob, e.g. "Test*".').meta({
      description: 'Globs over job and policy names that never alert; exclude wins over include.',
    }),
    muted: names(
      'give a list of names, e.g. ["Test job"].',
      'give a non-empty job or policy name or uid, or an EM name.',
    ).meta({
      description: 'Job or policy names or uids, or EM names, that never alert (exact, case-insensitive).',
    }),
    groupAbove: z
      .int({ error: 'give a whole number of alerts from 0 (never group) to 1000 (default 5).' })
      .min(0)
      .max(1000)
      .default(5)
      .meta({
        description:
          'More alerts than this for one EM at once: e-mail, SMS and chat get one message per kind instead of one per job (the events channel still gets each); 0 never groups.',
      }),
    maintenance: z
      .array(maintenanceWindow, { error: 'give a list of maintenance windows.' })
      .default(() => [])
      .meta({
        description:
          'Weekly windows (local `start`, `duration` minutes) during which matching jobs and policies (`job`, `server` globs; `em`) or a whole EM (`em` alone) alert nothing; what is still failing when one closes is sent then.',
      }),
    hints: z
      .array(localHint, { error: 'give a list of hints.' })
      .max(50, 'give at most 50 local hints.')
      .superRefine((hints, ctx) => {
        const seen = new Set(CATALOGUE.map((entry) => entry.id));
        hints.forEach(({ id }, i) => {
          if (seen.has(id))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'id'],
              message: `"${id}" is already a hint id (built-in or listed before); give another.`,
            });
          seen.add(id);
        });
      })
      .default(() => [])
      .meta({
        description:
          "Local hints tried ahead of the built-in catalogue on each VM's Reason and the session's FailureMessage: {id, pattern, cause, steps (1-3), url}.",
      }),
    timeZone: timeZone
      .default('UTC')
      .meta({ description: 'IANA time zone for the times people read, e.g. "Europe/Berlin".' }),
  },
  'give an object of alerting settings, e.g. {"retryHold": 15, "timeZone": "UTC"}.',
);

export type Settings = z.output<typeof settingsSchema>;
/** Settings as given (each may be left out for its default): what the stack passes the Lambda. */
export type GivenSettings = z.input<typeof settingsSchema>;
export type StaleSetting = z.output<typeof stale>;
export type MaintenanceWindow = z.output<typeof maintenanceWindow>;
export type LocalHintSetting = z.output<typeof localHint>;
export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(settingsSchema.parse({}));

/** Fills defaults into `input` (a partial settings object, e.g. parsed JSON) and checks every value. */
export function validateSettings(input: unknown): SettingsResult {
  const parsed = settingsSchema.safeParse(input ?? {});
  return parsed.success
    ? { ok: true, settings: parsed.data }
    : { ok: false, errors: problemLines(parsed.error) };
}

function isTimeZone(value: string): boolean {
  if (value === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
