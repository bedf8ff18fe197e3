// Job runs with their per-VM task sessions: the unit the alert engine decides on. Sessions are streamed page by
// page; the task sessions of the runs that need them are fetched in full OR batches carried across pages, so a
// large window costs about (session pages + task pages) requests and holds one page of sessions at a time.

import { type EmSession, type QueryOptions, TASK_PARENT, type TaskType } from './client.ts';
import {
  type CdpReplicaSession,
  type CdpReplicaTaskSession,
  isFinal,
  type ReplicaJobSession,
  type ReplicaTaskSession,
} from './model.ts';

export interface Run<S, T> {
  session: S;
  /** Every task session of the run (all VMs, whatever their result), when the run needed them; else empty. */
  tasks: T[];
  /** A failed run whose task sessions the EM has not collected yet: they are waited for until then (ISO). */
  awaitingTasksUntil?: string;
}
export type ReplicaRun = Run<ReplicaJobSession, ReplicaTaskSession>;
export type CdpRun = Run<CdpReplicaSession, CdpReplicaTaskSession>;

export interface RunsOptions<S> extends QueryOptions {
  /** Which runs need their task sessions (default: every finished run whose result is not Success). */
  needsTasks?: ((session: S) => boolean) | undefined;
}

const needsTasksByDefault = (session: { state: string; result: string }) =>
  isFinal(session) && session.result !== 'Success';

export function replicaRuns(em: EmSession, options: RunsOptions<ReplicaJobSession> = {}) {
  return runs<ReplicaJobSession, ReplicaTaskSession>(
    em,
    'ReplicaJobSession',
    'ReplicaTaskSession',
    (t) => t.jobSessionUid,
    options,
  );
}

export function cdpRuns(em: EmSession, options: RunsOptions<CdpReplicaSession> = {}) {
  return runs<CdpReplicaSession, CdpReplicaTaskSession>(
    em,
    'CdpReplicaSession',
    'CdpReplicaTaskSession',
    (t) => t.policySessionUid,
    options,
  );
}

async function* runs<S extends { uid: string; state: string; result: string }, T>(
  em: EmSession,
  sessionType: 'ReplicaJobSession' | 'CdpReplicaSession',
  taskType: TaskType,
  parentOf: (task: T) => string,
  options: RunsOptions<S>,
): AsyncGenerator<Run<S, T>[]> {
  const needsTasks = options.needsTasks ?? needsTasksByDefault;
  let waiting: S[] = [];
  const withTasks = async (sessions: S[]): Promise<Run<S, T>[]> => {
    const byUid = new Map(sessions.map((session) => [session.uid, { session, tasks: [] as T[] }]));
    for await (const page of em.tasksOf(taskType, [...byUid.keys()])) {
      for (const task of page as T[]) byUid.get(parentOf(task))?.tasks.push(task);
    }
    return [...byUid.values()];
  };
  for await (const page of em.query(sessionType, options)) {
    const ready: Run<S, T>[] = [];
    for (const session of page as unknown as S[]) {
      if (needsTasks(session)) waiting.push(session);
      else ready.push({ session, tasks: [] });
    }
    const uids = waiting.map((s) => s.uid);
    const batches = [...em.uidBatches(taskType, TASK_PARENT[taskType], uids)];
    const full = batches.slice(0, -1).flat();
    if (full.length) {
      const fullSet = new Set(full);
      ready.push(...(await withTasks(waiting.filter((s) => fullSet.has(s.uid)))));
      waiting = waiting.filter((s) => !fullSet.has(s.uid));
    }
    if (ready.length) yield ready;
  }
  if (waiting.length) yield await withTasks(waiting);
}
