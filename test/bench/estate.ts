// The benchmark's data and its yardsticks: the estate, ten new sessions (two failed) for the second steady poll, and
// two minimums for a first poll, computed from the data alone: the (every page full, task sessions too) and
// the fewest requests the EM's query API allows (task sessions are asked for by parent UID, within the URL limit).
// And an estate of many backup servers, some late, quiet or on a skewed clock, for what a steady poll costs there.

import { randomUUID } from 'node:crypto';
import { DAY, HOUR, MINUTE } from '../../functions/duration.ts';
import { TASK_PARENT, type TaskType } from '../../functions/em/client.ts';
import { DEFAULTS } from '../../functions/em/config.ts';
import { eq } from '../../functions/em/filter.ts';
import { type ReplicaJobSession, type ReplicaTaskSession, TIME_FIELDS } from '../../functions/em/model.ts';
import {
  FAILURE_REASONS,
  generateEstate,
  type Scenario,
  ScenarioBuilder,
  type ServerTiming,
} from '../../functions/simulator/index.ts';

type Session = { uid: string; creationTime: string; endTime: string | null; state: string; result: string };

const visible = (s: { creationTime: string }, now: string) => s.creationTime <= now;
const final = (s: Session, now: string) => s.endTime !== null && s.endTime <= now;

/**
 * `generateEstate`, with every replica job session finished by `now` (its retries can start after `now`, which
 * would make a later "nothing new" poll see new sessions) and exactly `sessions` of them, the oldest dropped.
 * CDP policy sessions keep running across `now`: policies always have one running.
 */
export function settledEstate(sessions: number, now: string): Scenario {
  const scenario = generateEstate({
    sessions: sessions + Math.ceil(sessions / 500) + 20,
    failedRatio: 0.1,
    vmsPerSession: 4,
    cdpPolicies: 4,
    seed: 1,
    now,
  });
  const settled = scenario.replicaJobSessions
    .filter((s) => s.endTime !== null && s.endTime <= now)
    .sort((a, b) => (a.creationTime < b.creationTime ? -1 : 1))
    .slice(-sessions);
  const kept = new Set(settled.map((s) => s.uid));
  return {
    ...scenario,
    replicaJobSessions: settled,
    replicaTaskSessions: scenario.replicaTaskSessions.filter((t) => kept.has(t.jobSessionUid)),
  };
}

/**
 * Ten runs of ten existing jobs, starting at `start` and lasting five minutes; two of them fail on one VM. Their
 * VMs' reasons take one task-session request (both UIDs in one URL), so the ideal poll makes 5 requests (logon,
 * two session pages, one task page, logoff), and one more for the syncs of running CDP policy sessions.
 */
export function tenNewSessions(scenario: Scenario, start: string): Partial<Scenario> {
  const latest = new Map<string, ReplicaJobSession>();
  for (const s of scenario.replicaJobSessions)
    if ((latest.get(s.jobUid)?.creationTime ?? '') < s.creationTime) latest.set(s.jobUid, s);
  // A small estate has fewer than ten jobs: some then run twice.
  const jobs = [...latest.values()];
  const picked = Array.from({ length: 10 }, (_, i) => jobs[i % jobs.length] as ReplicaJobSession);
  const byParent = new Set(picked.map((s) => s.uid));
  const tasks = scenario.replicaTaskSessions.filter((t) => byParent.has(t.jobSessionUid));
  const at = (minutes: number) => new Date(Date.parse(start) + minutes * MINUTE).toISOString();
  const sessions: ReplicaJobSession[] = [];
  const newTasks: ReplicaTaskSession[] = [];
  // Two of the ten fail on one VM: a steady poll then also reads their VMs' reasons (one task request for both).
  picked.forEach((old, i) => {
    const failed = i < 2;
    const uid = `urn:veeam:ReplicaJobSession:${randomUUID()}`;
    sessions.push({
      ...old,
      uid,
      creationTime: at(0),
      endTime: at(5),
      result: failed ? 'Failed' : 'Success',
      state: 'Stopped',
      isRetry: false,
      failureMessage: null,
    });
    tasks
      .filter((t) => t.jobSessionUid === old.uid)
      .forEach((task, j) => {
        const bad = failed && j === 0;
        newTasks.push({
          ...task,
          uid: `urn:veeam:ReplicaTaskSession:${randomUUID()}`,
          jobSessionUid: uid,
          creationTime: at(1),
          endTime: at(4),
          result: bad ? 'Failed' : 'Success',
          reason: bad ? 'Error: Cannot connect to host esx03.tech.local' : null,
        });
      });
  });
  return { replicaJobSessions: sessions, replicaTaskSessions: newTasks };
}

export interface Yardstick {
  sessions: { replica: number; cdp: number };
  /** Sessions whose per-VM results a poll needs: final and not Success, and CDP sessions still running. */
  needingTasks: { replica: number; cdp: number };
  /** Session UIDs that fit in one task-session request under the URL limit. */
  uidsPerRequest: { replica: number; cdp: number };
  /**
   * The minimum: logon, session pages, the pages of the task sessions the poll needs, every page full
   * (`pageSize` rows), logoff. Only a query selecting all those task sessions at once would reach it.
   */
  literal: number;
  /** The same with task sessions asked for by parent UID, as many per request as the URL limit allows. */
  minimum: number;
  /** Logon, session pages, one task-session request per session, logoff. */
  naive: number;
}

/** The fewest requests for a first poll that sees every session visible at `now`. */
export function yardstick(scenario: Scenario, now: string, pageSize: number, apiBase: string): Yardstick {
  const per = (
    sessions: readonly Session[],
    tasks: readonly Record<string, unknown>[],
    taskType: TaskType,
    cdp: boolean,
  ) => {
    const seen = sessions.filter((s) => visible(s, now));
    const needing = new Set(
      seen.filter((s) => (final(s, now) ? s.result !== 'Success' : cdp)).map((s) => s.uid),
    );
    const parent = taskType === 'ReplicaTaskSession' ? 'jobSessionUid' : 'policySessionUid';
    const taskRows = tasks.filter((t) => needing.has(String(t[parent]))).length;
    const sample = seen[0]?.uid ?? '';
    const k = uidsPerRequest(apiBase, taskType, sample, pageSize);
    const pages = Math.max(1, Math.ceil(seen.length / pageSize));
    const taskRequests =
      needing.size && Math.max(Math.ceil(needing.size / k), Math.ceil(taskRows / pageSize));
    const taskPages = Math.ceil(taskRows / pageSize);
    return { seen: seen.length, needing: needing.size, k, requests: pages + taskRequests, pages, taskPages };
  };
  const replica = per(
    scenario.replicaJobSessions,
    scenario.replicaTaskSessions as unknown as Record<string, unknown>[],
    'ReplicaTaskSession',
    false,
  );
  const cdp = per(
    scenario.cdpReplicaSessions,
    scenario.cdpReplicaTaskSessions as unknown as Record<string, unknown>[],
    'CdpReplicaTaskSession',
    true,
  );
  return {
    sessions: { replica: replica.seen, cdp: cdp.seen },
    needingTasks: { replica: replica.needing, cdp: cdp.needing },
    uidsPerRequest: { replica: replica.k, cdp: cdp.k },
    literal: 2 + replica.pages + replica.taskPages + cdp.pages + cdp.taskPages,
    minimum: 2 + replica.requests + cdp.requests,
    naive: 2 + replica.pages + cdp.pages + replica.seen + cdp.seen,
  };
}

/**
 * How many `Parent=="uid"` terms fit in one query URL of at most `maxUrlLength` characters, the URL built as
 * the client builds it (sorted by UID; room for page 999999, as `uidBatches` keeps; `,` encoded as %2C). Every
 * UID has the same length, so one sample suffices.
 */
function uidsPerRequest(apiBase: string, type: TaskType, sampleUid: string, pageSize: number): number {
  const url = new URL('query', apiBase);
  const sort = TIME_FIELDS[type].uid;
  url.search = `type=${type}&format=Entities&sortAsc=${sort}&pageSize=${pageSize}&page=999999&filter=`;
  const term = encodeURIComponent(String(eq(TASK_PARENT[type], sampleUid))).length;
  return Math.floor((DEFAULTS.maxUrlLength - url.href.length + 3) / (term + 3));
}

/** The URL the client sent for a recorded query, rebuilt the way the client builds it (to check its length). */
export function clientUrl(apiBase: string, query: Record<string, string>): string {
  const { filter, ...rest } = query;
  const url = new URL('query', apiBase);
  const params = Object.entries(rest).map(([k, v]) => `${k}=${v}`);
  url.search = [...params, ...(filter ? [`filter=${encodeURIComponent(filter)}`] : [])].join('&');
  return url.href;
}

/** How many backup servers of an estate are in each kind of trouble; the rest run hourly on time. */
export interface ServerMix {
  servers: number;
  /** Daily jobs only: nothing new from them for hours, so their window lies behind the others'. */
  quiet: number;
  /** Collected `LATE_MS` late by the EM. */
  late: number;
  /** Clocks `SKEW_MS` slow and fast: every time they stamp is that far off. */
  slow: number;
  fast: number;
}

export const LATE_MS = 2.5 * HOUR;
export const SKEW_MS = 3 * HOUR;

/** The shares of 10 quiet, 5 late, 5 slow and 5 fast servers in 50, for any number of servers. */
export function serverMix(servers: number): ServerMix {
  const share = (part: number) => Math.round((servers * part) / 50);
  return { servers, quiet: share(10), late: share(5), slow: share(5), fast: share(5) };
}

export interface ServerEstate {
  scenario: Scenario;
  /** For `SimulatorOptions.backupServers`. */
  timings: Record<string, ServerTiming>;
  /** Hours between the quiet servers' last run ending and `now`. */
  quietHours: number;
}

/**
 * `days` days before `now` on `mix.servers` backup servers, one two-VM replica job each (one run in 20 fails on a
 * VM), and four CDP policies running on the first servers. Hourly runs start at :47 to :51 and last 5 minutes,
 * daily ones at 20:00 for 30: nothing starts or ends in the first 15 minutes after `now` (06:00) nor, for servers
 * collected 2.5 h late, after the time the EM shows them at, so the polls that follow see nothing new.
 */
export function serverEstate(mix: ServerMix, now: string, days: number): ServerEstate {
  const s = new ScenarioBuilder({ now, seed: 'servers' });
  const end = Date.parse(now);
  const from = Math.floor((end - days * DAY) / HOUR) * HOUR;
  const onTime = mix.servers - mix.quiet - mix.late - mix.slow - mix.fast;
  if (onTime < 1) throw new RangeError(`${mix.servers} backup servers leave none on time`);
  const roles = [
    ...Array<ServerTiming | 'quiet' | null>(onTime).fill(null),
    ...Array<'quiet'>(mix.quiet).fill('quiet'),
    ...Array<ServerTiming>(mix.late).fill({ collectionDelayMs: LATE_MS }),
    ...Array<ServerTiming>(mix.slow).fill({ clockOffsetMs: -SKEW_MS }),
    ...Array<ServerTiming>(mix.fast).fill({ clockOffsetMs: SKEW_MS }),
  ];
  const names = roles.map((_, i) => `vbr${String(i + 1).padStart(2, '0')}.tech.local`);
  const timings: Record<string, ServerTiming> = {};
  let quietEnd = 0;
  roles.forEach((role, i) => {
    const name = names[i] as string;
    if (role && role !== 'quiet') timings[name] = role;
    const job = s.replicaJob(`Replica ${name}`, { backupServer: name });
    const [app, db] = [`srv${i + 1}-app`, `srv${i + 1}-db`];
    const daily = role === 'quiet';
    const [every, durationMin] = daily ? [DAY, 30] : [HOUR, 5];
    // Daily runs at 20:00, hourly ones at :47 to :51.
    let start = daily ? Math.floor(from / every) * every + 20 * HOUR : from + (47 + (i % 5)) * MINUTE;
    for (; start + (durationMin + 1) * MINUTE <= end; start += every) {
      if (start < from) continue;
      const failed = s.random.chance(0.05);
      const reason = s.random.pick(FAILURE_REASONS);
      job.run({
        start: new Date(start).toISOString(),
        durationMin,
        vms: [app, failed ? { name: db, result: 'Failed', reason } : db],
      });
      if (daily) quietEnd = Math.max(quietEnd, start + durationMin * MINUTE);
    }
  });
  // Daily policy sessions lasting a day, as in `generateEstate`: one runs at `now` on each policy.
  for (let p = 0; p < Math.min(4, onTime); p++) {
    const policy = s.cdpPolicy(`CDP Policy ${p + 1}`, { backupServer: names[p] });
    for (let day = days; day >= 1; day--)
      policy.session({
        start: new Date(end - day * DAY + (p + 1) * HOUR).toISOString(),
        vms: [`cdp${p + 1}-vm1`, `cdp${p + 1}-vm2`],
      });
  }
  return { scenario: s.build(), timings, quietHours: quietEnd ? (end - quietEnd) / HOUR : 0 };
}
