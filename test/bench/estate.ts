// The benchmark's data and its yardsticks: the estate, ten new sessions (two failed) for the second steady poll, and
// two minimums for a first poll, computed from the data alone: the (every page full, task sessions too) and
// the fewest requests the EM's query API allows (task sessions are asked for by parent UID, within the URL limit).

import { randomUUID } from 'node:crypto';
import { TASK_PARENT, type TaskType } from '../../functions/em/client.ts';
import { DEFAULTS } from '../../functions/em/config.ts';
import { eq } from '../../functions/em/filter.ts';
import { type ReplicaJobSession, type ReplicaTaskSession, TIME_FIELDS } from '../../functions/em/model.ts';
import { generateEstate, type Scenario } from '../../functions/simulator/index.ts';

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
  const at = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000).toISOString();
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
 * the client builds it (page 1; `,` encoded as %2C). Every UID has the same length, so one sample suffices.
 */
function uidsPerRequest(apiBase: string, type: TaskType, sampleUid: string, pageSize: number): number {
  const url = new URL('query', apiBase);
  const sort = TIME_FIELDS[type].creation;
  url.search = `type=${type}&format=Entities&sortAsc=${sort}&pageSize=${pageSize}&page=1&filter=`;
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
