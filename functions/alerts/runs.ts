// Sessions as the engine reads them: merged across pages and polls, final or running, summarised with their VMs.

import { isFinal } from '../em/model.ts';
import type { Run } from '../em/runs.ts';
import {
  type AlertSeverity,
  cutText,
  EVENT_TEXT_CHARS,
  EVENT_VMS_BYTES,
  type EventCounts,
  type EventSession,
  type EventVm,
  MAX_EVENT_VMS,
} from './event.ts';
import type { RunSummary } from './state.ts';

/** What replica job sessions and CDP policy sessions have in common. */
export interface AnySession {
  uid: string;
  name: string;
  creationTime: string;
  endTime: string | null;
  state: string;
  result: string;
  isRetry: boolean;
  failureMessage: string | null;
  backupServerName: string | null;
}

export interface AnyTask {
  uid: string;
  vmDisplayName: string;
  creationTime: string;
  endTime: string | null;
  state: string;
  result: string;
  reason: string | null;
}

export type AnyRun = Run<AnySession, AnyTask>;

const RUNNING_STATES = new Set(['Starting', 'Working', 'Stopping', 'Pausing', 'Resuming']);

/** Only a `Stopped` session with a real result is decided; `None` and unknown results wait (the model's rule). */
export { isFinal };
/** A session that may still end (unknown states are neither final nor running: they are ignored). */
export const isRunning = (s: { state: string }) => RUNNING_STATES.has(s.state);

/** How a final result counts under the settings: a result that does not alert counts as healthy. */
export type Health = 'Success' | AlertSeverity;
export function healthOf(result: string, alertOn: readonly AlertSeverity[]): Health | null {
  if (result === 'Failed' || result === 'Warning') return alertOn.includes(result) ? result : 'Success';
  return result === 'Success' ? 'Success' : null;
}

export const SEVERITY_RANK: Record<AlertSeverity, number> = { Warning: 1, Failed: 2 };

/** Orders sessions or tasks by creation time, then uid: a job's runs never overlap, so this is their order. */
export const byStart = (a: { creationTime: string; uid: string }, b: { creationTime: string; uid: string }) =>
  compareIso(a.creationTime, b.creationTime) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

export const ms = (iso: string): number => Date.parse(iso);
export const compareIso = (a: string, b: string): number => ms(a) - ms(b) || 0;
export const endOf = (s: { endTime: string | null; creationTime: string }) => s.endTime ?? s.creationTime;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * One run per session uid whichever pages and polls carried it: the final copy of the session wins, and task
 * sessions are united by uid (a completed copy wins). Sorted by start.
 */
export function mergeRuns<S extends AnySession, T extends AnyTask>(runs: readonly Run<S, T>[]): Run<S, T>[] {
  const byUid = new Map<
    string,
    { session: S; tasks: Map<string, T>; awaitingTasksUntil?: string | undefined }
  >();
  for (const run of runs) {
    const seen = byUid.get(run.session.uid);
    const merged = seen ?? {
      session: run.session,
      tasks: new Map<string, T>(),
      awaitingTasksUntil: run.awaitingTasksUntil,
    };
    if (seen && isFinal(run.session) && !isFinal(seen.session)) merged.session = run.session;
    // Still waiting only if no copy came with the task sessions or after the wait.
    if (!run.awaitingTasksUntil) merged.awaitingTasksUntil = undefined;
    for (const task of run.tasks) {
      const known = merged.tasks.get(task.uid);
      if (!known || (task.state === 'Completed' && known.state !== 'Completed'))
        merged.tasks.set(task.uid, task);
    }
    byUid.set(run.session.uid, merged);
  }
  return [...byUid.values()]
    .map(({ session, tasks, awaitingTasksUntil }) => ({
      session,
      tasks: [...tasks.values()],
      ...(awaitingTasksUntil ? { awaitingTasksUntil } : {}),
    }))
    .sort((a, b) => byStart(a.session, b.session));
}

/**
 * A task that says how its VM fares: completed, or still running with a Failed or Warning result (a CDP sync runs
 * for hours and shows a bad result while it runs; a running one saying Success says nothing yet).
 */
export const isDecisive = (task: { state: string; result: string }): boolean =>
  task.state === 'Completed' || task.result === 'Failed' || task.result === 'Warning';

/** Per VM, its latest decisive task (else its latest task): CDP runs several syncs per VM in one session. */
export function latestPerVm<T extends AnyTask>(tasks: readonly T[]): T[] {
  const byVm = new Map<string, T>();
  for (const task of [...tasks].sort(byStart)) {
    const known = byVm.get(task.vmDisplayName);
    if (!known || isDecisive(task) || !isDecisive(known)) byVm.set(task.vmDisplayName, task);
  }
  return [...byVm.values()];
}

const RESULT_ORDER = ['Failed', 'Warning'];
const resultRank = (result: string) => {
  const i = RESULT_ORDER.indexOf(result);
  return i < 0 ? RESULT_ORDER.length : i;
};

/** A session and its VMs as an event shows them: VMs that did not succeed (failed first), bounded. */
export function summarize(session: AnySession, tasks: readonly AnyTask[], retries: number): RunSummary {
  const final = isFinal(session);
  const vms = latestPerVm(tasks);
  const notOk = vms
    .filter((t) => t.result === 'Failed' || t.result === 'Warning' || (final && t.result !== 'Success'))
    .sort(
      (a, b) =>
        resultRank(a.result) - resultRank(b.result) ||
        (a.vmDisplayName < b.vmDisplayName ? -1 : a.vmDisplayName > b.vmDisplayName ? 1 : 0),
    );
  const listed = listVms(notOk);
  return {
    session: eventSession(session, retries),
    vms: listed,
    vmsOmitted: notOk.length - listed.length,
    counts: vms.length ? countResults(vms) : null,
  };
}

/** The first VMs, at most MAX_EVENT_VMS and EVENT_VMS_BYTES of JSON (as stored and published). */
function listVms(tasks: readonly AnyTask[]): EventVm[] {
  const listed: EventVm[] = [];
  let bytes = 0;
  for (const task of tasks.slice(0, MAX_EVENT_VMS)) {
    const vm = eventVm(task);
    bytes += Buffer.byteLength(JSON.stringify(vm)) + 1;
    if (bytes > EVENT_VMS_BYTES) break;
    listed.push(vm);
  }
  return listed;
}

export function eventSession(session: AnySession, retries: number): EventSession {
  return {
    uid: session.uid,
    name: cutText(session.name, EVENT_TEXT_CHARS),
    result: session.result,
    state: session.state,
    isRetry: session.isRetry,
    retries,
    creationTime: session.creationTime,
    endTime: session.endTime,
    failureMessage:
      session.failureMessage === null ? null : cutText(session.failureMessage, EVENT_TEXT_CHARS),
  };
}

function eventVm(task: AnyTask): EventVm {
  return {
    name: cutText(task.vmDisplayName, EVENT_TEXT_CHARS),
    result: task.result,
    state: task.state,
    reason: task.reason === null ? null : cutText(task.reason, EVENT_TEXT_CHARS),
  };
}

function countResults(vms: readonly AnyTask[]): EventCounts {
  const count = (result: string) => vms.filter((t) => t.result === result).length;
  return { total: vms.length, failed: count('Failed'), warning: count('Warning'), success: count('Success') };
}
