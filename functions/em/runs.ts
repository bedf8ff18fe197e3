// Job runs with their per-VM task sessions: the unit the alert engine decides on. Sessions are streamed page by
// page; the task sessions of the runs that need them are fetched in full OR batches carried across pages, so a
// large window costs about (session pages + task pages) requests and holds one page of sessions at a time.

import { type EmSession, type QueryOptions, TASK_PARENT } from './client.ts';
import {
  type CdpReplicaSession,
  type CdpReplicaTaskSession,
  type EntityTypes,
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

/** The session types that have runs, each with its task sessions' type. */
interface TaskTypeOf {
  ReplicaJobSession: 'ReplicaTaskSession';
  CdpReplicaSession: 'CdpReplicaTaskSession';
}
export type SessionType = keyof TaskTypeOf;
export type RunOf<K extends SessionType> = Run<EntityTypes[K], EntityTypes[TaskTypeOf[K]]>;

/** Where each session type's task sessions are, and how a task session names its parent. */
export const TASKS: {
  [K in SessionType]: { type: TaskTypeOf[K]; parentOf: (task: EntityTypes[TaskTypeOf[K]]) => string };
} = {
  ReplicaJobSession: { type: 'ReplicaTaskSession', parentOf: (task) => task.jobSessionUid },
  CdpReplicaSession: { type: 'CdpReplicaTaskSession', parentOf: (task) => task.policySessionUid },
};

export interface RunsOptions<S> extends QueryOptions {
  /** Which runs need their task sessions (default: every finished run whose result is not Success). */
  needsTasks?: ((session: S) => boolean) | undefined;
}

const needsTasksByDefault = (session: { state: string; result: string }) =>
  isFinal(session) && session.result !== 'Success';

/** The runs of `type`'s sessions that `options.filter` selects, a page of sessions at a time. */
export async function* runs<K extends SessionType>(
  em: EmSession,
  type: K,
  options: RunsOptions<EntityTypes[K]> = {},
): AsyncGenerator<RunOf<K>[]> {
  type S = EntityTypes[K];
  type T = EntityTypes[TaskTypeOf[K]];
  const tasks = TASKS[type];
  const needsTasks = options.needsTasks ?? needsTasksByDefault;
  let waiting: S[] = [];
  const withTasks = async (sessions: S[]): Promise<RunOf<K>[]> => {
    const byUid = new Map(sessions.map((session) => [session.uid, { session, tasks: [] as T[] }]));
    for await (const page of em.tasksOf(tasks.type, [...byUid.keys()])) {
      for (const task of page) byUid.get(tasks.parentOf(task))?.tasks.push(task);
    }
    return [...byUid.values()];
  };
  for await (const page of em.query(type, options)) {
    const ready: RunOf<K>[] = [];
    for (const session of page) {
      if (needsTasks(session)) waiting.push(session);
      else ready.push({ session, tasks: [] });
    }
    const uids = waiting.map((s) => s.uid);
    const batches = [...em.uidBatches(tasks.type, TASK_PARENT[tasks.type], uids)];
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
