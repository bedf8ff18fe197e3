// Test data for the alert engine and the renderers: plain model objects, and a harness that plays polls
// against an in-memory store the way the poller does.

import { decidePoll } from '../../functions/alerts/engine.ts';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../functions/alerts/settings.ts';
import type { Silence } from '../../functions/alerts/silence.ts';
import type { PollOutcome } from '../../functions/alerts/source.ts';
import { type JobState, type SubjectState, subjectKey } from '../../functions/alerts/state.ts';
import { MINUTE } from '../../functions/duration.ts';
import type {
  CdpReplicaSession,
  CdpReplicaTaskSession,
  ReplicaJobSession,
  ReplicaTaskSession,
  Schedule,
} from '../../functions/em/model.ts';
import type { CdpRun, ReplicaRun } from '../../functions/em/runs.ts';

export const EM = 'em-prod';
export const T0 = Date.parse('2025-06-17T00:00:00Z');
/** The instant `minutes` after T0, ISO. */
export const at = (minutes: number): string => new Date(T0 + minutes * MINUTE).toISOString();

const guid = (prefix: string, n: number) =>
  `${prefix}:${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;

export interface SessionSpec {
  job?: number;
  jobName?: string;
  n: number;
  start: number;
  /** Minutes after T0; null or absent while running. */
  end?: number | null;
  result?: string;
  state?: string;
  isRetry?: boolean;
  failureMessage?: string | null;
  server?: string;
}

export function jobSession(spec: SessionSpec): ReplicaJobSession {
  const job = spec.job ?? 1;
  const jobName = spec.jobName ?? (job === 1 ? 'SQL Replication' : `Replica Job ${job}`);
  const end = spec.end ?? null;
  return {
    uid: guid('urn:veeam:ReplicaJobSession', job * 10_000 + spec.n),
    name: `${jobName}@${at(spec.start).slice(0, 19).replace('T', ' ')}`,
    jobUid: guid('urn:veeam:Job', job),
    jobName,
    jobType: 'Replica',
    creationTime: at(spec.start),
    endTime: end === null ? null : at(end),
    state: spec.state ?? (end === null ? 'Working' : 'Stopped'),
    result: spec.result ?? (end === null ? 'None' : 'Success'),
    progress: end === null ? 50 : 100,
    isRetry: spec.isRetry ?? false,
    failureMessage: spec.failureMessage ?? null,
    backupServerUid: 'urn:veeam:BackupServer:7445e6ce-86f5-4171-b909-dac209c66563',
    backupServerName: spec.server ?? 'srv02.tech.local',
  };
}

export function vmTask(
  session: ReplicaJobSession,
  i: number,
  result: string,
  reason: string | null = null,
): ReplicaTaskSession {
  return {
    uid: `${session.uid}-task-${i}`,
    name: `vm${i}@x`,
    vmDisplayName: `sql-vm-${String(i).padStart(2, '0')}`,
    jobSessionUid: session.uid,
    creationTime: session.creationTime,
    endTime: session.endTime,
    state: session.endTime ? 'Completed' : 'InProgress',
    result,
    reason,
    totalSize: 8 * 2 ** 30,
    backupServerUid: session.backupServerUid,
    backupServerName: session.backupServerName,
  };
}

/** A job run: `spec` plus its VMs (`results[i]` for VM i; failed VMs get a Veeam-like reason). */
export function jobRun(spec: SessionSpec, results: string[] = []): ReplicaRun {
  const session = jobSession(spec);
  const tasks = results.map((r, i) =>
    vmTask(
      session,
      i + 1,
      r,
      r === 'Success' ? null : `Error: Failed to create VM snapshot (${r}, VM ${i + 1})`,
    ),
  );
  return { session, tasks };
}

export function cdpSession(spec: SessionSpec): CdpReplicaSession {
  const s = jobSession({ ...spec, job: spec.job ?? 50, jobName: spec.jobName ?? 'CDP Policy' });
  return {
    uid: s.uid.replace('ReplicaJobSession', 'CdpReplicaSession'),
    name: s.name,
    policyUid: s.jobUid.replace('Job', 'CdpPolicy'),
    policyName: s.jobName,
    creationTime: s.creationTime,
    endTime: s.endTime,
    state: s.state,
    result: s.result,
    progress: s.progress,
    isRetry: s.isRetry,
    failureMessage: s.failureMessage,
    backupServerUid: s.backupServerUid,
    backupServerName: s.backupServerName,
  };
}

/** One VM's sync: its `n`-th in the session, from `start` to `end` (minutes after T0; null while running). */
export interface SyncSpec {
  vm: string;
  n: number;
  start: number;
  end?: number | null;
  /** Default Success. */
  result?: string;
  reason?: string | null;
}

export function cdpTask(session: CdpReplicaSession, spec: SyncSpec): CdpReplicaTaskSession {
  const end = spec.end ?? null;
  return {
    uid: `${session.uid}-sync-${spec.vm}-${spec.n}`,
    name: `${spec.vm}@x`,
    vmDisplayName: spec.vm,
    policySessionUid: session.uid,
    creationTime: at(spec.start),
    endTime: end === null ? null : at(end),
    state: end === null ? 'InProgress' : 'Completed',
    result: spec.result ?? 'Success',
    reason: spec.reason ?? null,
    totalSize: 16 * 2 ** 30,
    backupServerUid: session.backupServerUid,
    backupServerName: session.backupServerName,
  };
}

export const settings = (overrides: Partial<Settings> = {}): Settings => ({
  ...DEFAULT_SETTINGS,
  ...overrides,
});

export interface PollSpec {
  now: number;
  replica?: ReplicaRun[];
  cdp?: CdpRun[];
  outcome?: PollOutcome;
  em?: string;
  /** Settings for this poll only (the user changed them). */
  settings?: Settings;
  /** An earlier poll read the EM (see `PollContext.readBefore`). */
  readBefore?: boolean;
  /** The stored silences this poll reads. */
  silences?: Silence[];
  /** The schedules this poll read from the EM (absent: not read). */
  schedules?: Schedule[];
}

/** The schedule query's row for job 1 (the SQL job): scheduled and enabled, no NextRun, unless `extra` says. */
export const jobSchedule = (extra: Partial<Schedule> = {}): Schedule => ({
  kind: 'replica-job',
  uid: jobSession({ n: 0, start: 0 }).jobUid,
  name: 'SQL Replication',
  scheduleConfigured: true,
  scheduleEnabled: true,
  nextRun: null,
  backupServerUid: null,
  backupServerName: null,
  ...extra,
});

/** Schedules as a poll reads them: per kind (a kind with none listed was still read). */
const byKind = (schedules: Schedule[]) => ({
  'replica-job': schedules.filter((s) => s.kind === 'replica-job'),
  'cdp-policy': schedules.filter((s) => s.kind === 'cdp-policy'),
});

/** Plays polls against an in-memory store, keeping every event sent. */
export class Harness {
  readonly store = new Map<string, SubjectState>();
  readonly sent: AlertEvent[] = [];

  constructor(readonly config: Settings = settings()) {}

  /** The stored state of a job or policy (`job` as in SessionSpec). */
  job(job = 1, kind: 'replica-job' | 'cdp-policy' = 'replica-job'): JobState | undefined {
    const uid =
      kind === 'replica-job'
        ? jobSession({ job, n: 0, start: 0 }).jobUid
        : cdpSession({ job, n: 0, start: 0 }).policyUid;
    return this.store.get(subjectKey(EM, kind, uid)) as JobState | undefined;
  }

  poll(spec: PollSpec): AlertEvent[] {
    const decision = decidePoll({
      em: spec.em ?? EM,
      now: at(spec.now),
      outcome: spec.outcome ?? { ok: true },
      replicaRuns: spec.replica ?? [],
      cdpRuns: spec.cdp ?? [],
      states: [...this.store.values()],
      settings: spec.settings ?? this.config,
      ...(spec.readBefore ? { readBefore: true } : {}),
      ...(spec.silences ? { silences: spec.silences } : {}),
      ...(spec.schedules ? { schedules: byKind(spec.schedules) } : {}),
    });
    for (const state of decision.states) this.store.set(state.key, structuredClone(state));
    this.sent.push(...decision.events);
    return decision.events;
  }
}

/** A compact view of events for table-driven expectations. */
export const brief = (events: AlertEvent[]) =>
  events.map((e) => `${e.event}:${e.severity}${e.failedRuns !== null ? `:${e.failedRuns}` : ''}`);
