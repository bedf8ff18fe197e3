// Replica job schedules and CDP policies (`query?type=Job`, `query?type=CdpPolicy`), which schedule-aware rules add
// to the session history. Both queries need the EM role Portal Administrator and only refine alerts that work
// without them, so they are read leniently: a field the EM leaves out or garbles is null and noted as a problem, an
// entry without a UID is left out and noted, and an answer the account may not read (403), or a type an older EM
// does not know, is "unavailable" with the reason: never an error that fails the poll.

import type { EmSession } from './client.ts';
import { backupServer, MAX_UID_CHARS, type Page, parseQueryRecords } from './entities.ts';
import { EmError } from './errors.ts';
import { eq } from './filter.ts';
import type { Schedule, ScheduleType, WireFormat } from './model.ts';
import { parseEmTime } from './time.ts';
import { isRaw, type Raw } from './wire.ts';

const KIND = { Job: 'replica-job', CdpPolicy: 'cdp-policy' } as const;
const NOUN = { Job: ['replica job', 'replica jobs'], CdpPolicy: ['CDP policy', 'CDP policies'] } as const;
/** What a poll does without the answer (the rules' documented fallback). */
const FALLBACK = {
  Job: 'schedule-aware rules fall back to the median gap',
  CdpPolicy: 'CDP alerts go without the policy schedule and RPO',
} as const;
/** Only replica jobs are asked for: `JobType` is a documented filter field, `Replica` its documented value. */
const FILTER = { Job: eq('JobType', 'Replica'), CdpPolicy: undefined } as const;
/** `JobType` values read as a replica job: the documented `Replica`, and spellings another version might use. */
const REPLICA_JOB_TYPE = /^(vm)?replica(tion)?(job)?$/i;
/** Problems kept per read: enough to say what is wrong, bounded for an EM that garbles every entry. */
const MAX_PROBLEMS = 20;
const RPO_SECONDS = 'RecoveryPointObjectiveSeconds';
const RPO_MINUTES = 'RecoveryPointObjectiveMinutes';
/** .NET's DateTime.MinValue and MaxValue stand for "no time", not for a run in year 1 or 9999. */
const NO_TIME_YEARS = new Set(['0001', '9999']);

export interface SchedulePage extends Page<Schedule> {
  /** What was left out or read as null, one line each, naming the entry. */
  problems: string[];
}

export type Unavailable = 'forbidden' | 'unsupported' | 'unreadable' | 'failed';

export type ScheduleRead =
  | { type: ScheduleType; available: true; schedules: Schedule[]; problems: string[]; problemCount: number }
  | { type: ScheduleType; available: false; reason: Unavailable; message: string; error: EmError };

/** Reads one page of a schedule query, in either format; other job types than replica are left out silently. */
export function parseSchedulePage(type: ScheduleType, body: string, format: WireFormat): SchedulePage {
  const page = parseQueryRecords(type, body, format);
  const problems: string[] = [];
  const items = page.items.flatMap((record) => scheduleOf(type, record, problems) ?? []);
  return { ...page, items, problems };
}

/**
 * Every replica job (`type` Job) or CDP policy, page by page through the client's paging, retries and deadline.
 * Any EM error (403, an unknown type, an unreadable answer, a timeout) is returned as `available: false`.
 */
export async function readSchedules(em: EmSession, type: ScheduleType): Promise<ScheduleRead> {
  const schedules: Schedule[] = [];
  const problems = new Set<string>(); // the client may read a page twice (a collection landing): noted once
  const parse = (body: string, format: WireFormat) => {
    const page = parseSchedulePage(type, body, format);
    for (const problem of page.problems) problems.add(problem);
    return page;
  };
  try {
    for await (const page of em.pages(type, parse, { filter: FILTER[type] })) schedules.push(...page);
  } catch (error) {
    if (!(error instanceof EmError)) throw error;
    return { type, available: false, ...unavailable(type, error), error };
  }
  const all = [...problems];
  return { type, available: true, schedules, problems: all.slice(0, MAX_PROBLEMS), problemCount: all.length };
}

function unavailable(type: ScheduleType, error: EmError): { reason: Unavailable; message: string } {
  const said = error.message.replace(/^Enterprise Manager "[^"]*": /, '');
  if (error.kind === 'forbidden')
    return {
      reason: 'forbidden',
      message: 'HTTP 403: needs the Enterprise Manager role Portal Administrator',
    };
  if (error.status === 400 || error.status === 404 || error.status === 501)
    return { reason: 'unsupported', message: `an older EM may not know query?type=${type}: ${said}` };
  const unreadable = error.kind === 'unparseable' || error.kind === 'too-large';
  return { reason: unreadable ? 'unreadable' : 'failed', message: said };
}

/** How many are scheduled (configured and enabled), disabled, run by hand only, or not said. */
export function tally(schedules: readonly Schedule[]) {
  const count = { scheduled: 0, disabled: 0, manual: 0, unknown: 0 };
  for (const { scheduleConfigured: configured, scheduleEnabled: enabled } of schedules) {
    if (configured === false) count.manual++;
    else if (enabled === false) count.disabled++;
    else if (configured && enabled) count.scheduled++;
    else count.unknown++;
  }
  return count;
}

/** One line on a read, for `check` and the poller's log: counts and the first problem, or why it is unavailable. */
export function describeSchedules(read: ScheduleRead): string {
  if (!read.available) return `${read.message}; ${FALLBACK[read.type]}`;
  const { scheduled, disabled, manual, unknown } = tally(read.schedules);
  const [one, many] = NOUN[read.type];
  const parts = [
    `${read.schedules.length} ${read.schedules.length === 1 ? one : many}: ${scheduled} scheduled`,
    `${disabled} disabled`,
    `${manual} manual`,
    ...(unknown ? [`${unknown} not said`] : []),
  ];
  const problems = read.problemCount
    ? `; ${read.problemCount} problem${read.problemCount === 1 ? '' : 's'}, e.g. ${read.problems[0]}`
    : '';
  return `${parts.join(', ')}${problems}`;
}

/** One entry as a Schedule; undefined when it is another job type, or left out for want of a UID (noted). */
function scheduleOf(type: ScheduleType, record: Raw, problems: string[]): Schedule | undefined {
  const entry = new Entry(type, record, problems);
  const uid = text(record.UID);
  if (uid === null) return entry.leaveOut('it has no UID');
  if (uid.length > MAX_UID_CHARS) return entry.leaveOut(`its UID is ${uid.length} characters long`);
  if (type === 'Job') {
    const jobType = text(record.JobType);
    if (jobType === null) return entry.leaveOut('it has no JobType');
    if (!REPLICA_JOB_TYPE.test(jobType.trim())) return undefined;
  }
  const rpo = type === 'CdpPolicy' ? entry.rpo() : undefined;
  return {
    kind: KIND[type],
    uid,
    name: text(record.Name) ?? '',
    ...backupServer(record),
    scheduleConfigured: entry.boolean('ScheduleConfigured'),
    scheduleEnabled: entry.boolean('ScheduleEnabled'),
    nextRun: entry.time('NextRun'),
    ...(rpo && { rpo }),
  };
}

/** Text as the EM wrote it; numbers and booleans (JSON) as text; null when absent, empty or not text. */
function text(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

const quote = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 60);

/** Reads one entry's fields, noting each problem with the entry's name. */
class Entry {
  constructor(
    private readonly type: ScheduleType,
    private readonly record: Raw,
    private readonly problems: string[],
  ) {}

  private note(problem: string): null {
    const name = text(this.record.Name) ?? text(this.record.UID) ?? '(no name)';
    this.problems.push(`${this.type} ${JSON.stringify(name.slice(0, 100))}: ${problem}`);
    return null;
  }

  leaveOut(why: string): undefined {
    this.note(`${why}; left out`);
    return undefined;
  }

  /** `true`/`false` in any case (XML text), a JSON boolean, or xs:boolean's `1`/`0`. */
  boolean(field: string): boolean | null {
    const value = this.record[field];
    if (typeof value === 'boolean') return value;
    const word = text(value)?.trim().toLowerCase();
    if (word === 'true' || word === '1') return true;
    if (word === 'false' || word === '0') return false;
    return this.note(
      word === undefined ? `${field} is missing` : `${field} is not true or false (${quote(value)})`,
    );
  }

  /** A time as the session times are read (0 to 7 fractional digits, `Z` or an offset); absent is no problem. */
  time(field: string): string | null {
    const value = this.record[field];
    if (value === undefined || value === null || value === '') return null;
    const iso = typeof value === 'string' ? parseEmTime(value) : null;
    if (iso === null) return this.note(`${field} is not a time (${quote(value)})`);
    return NO_TIME_YEARS.has(iso.slice(0, 4)) ? null : iso;
  }

  /**
   * `PolicyScheduleOptions` holds the RPO in the published samples under `CdpReplica` (the policy type); it is read
   * there, or directly under `PolicyScheduleOptions`.
   */
  rpo(): { seconds: number } | undefined {
    const options = this.record.PolicyScheduleOptions;
    const holder = [options, ...(isRaw(options) ? Object.values(options) : [])].find(
      (o): o is Raw => isRaw(o) && (RPO_SECONDS in o || RPO_MINUTES in o),
    );
    const seconds = holder
      ? this.rpoSeconds(holder)
      : this.note('PolicyScheduleOptions has no RecoveryPointObjective');
    return seconds === null ? undefined : { seconds };
  }

  /**
   * The docs do not say how the seconds and the minutes relate; the published sample (15 and 0) fits both "one unit
   * is used, the other is 0" and "both say it, the minutes rounded": both are read, and values that disagree are a
   * problem.
   */
  private rpoSeconds(holder: Raw): number | null {
    const [s, m] = [wholeNumber(holder[RPO_SECONDS]), wholeNumber(holder[RPO_MINUTES])];
    if (Number.isNaN(s) || Number.isNaN(m)) {
      const given = `${quote(holder[RPO_SECONDS])}, ${quote(holder[RPO_MINUTES])}`;
      return this.note(`${RPO_SECONDS}/Minutes are not whole numbers (${given})`);
    }
    const fromMinutes = (m ?? 0) * 60;
    if (s && (!m || Math.abs(s - fromMinutes) < 60)) return s;
    if (!s && m) return fromMinutes;
    if (s === null && m === null) return this.note(`${RPO_SECONDS} and ${RPO_MINUTES} are missing`);
    if (!s) return this.note('RecoveryPointObjective is 0');
    return this.note(`RecoveryPointObjective is given as ${s} seconds and ${m} minutes, which disagree`);
  }
}

/** A whole number of 0 or more; null when absent, NaN when something else. */
function wholeNumber(value: unknown): number | null {
  const word = text(value);
  if (word === null) return null;
  const n = Number(word);
  return Number.isInteger(n) && n >= 0 ? n : Number.NaN;
}
