// What the EM shows of a session at the simulated time. A scenario holds each session as it will be once
// finished; before its creation time it does not exist, and until its end time (forever when endTime is null)
// it is shown running. A finished session, odd states and results included, is served exactly as given, and so is
// a CDP task given with no end and a running state (a VM whose sync is failing while its policy session runs).

import type { EntityType, EntityTypes, SessionResult } from '../em/model.ts';

type Session = EntityTypes['ReplicaJobSession' | 'CdpReplicaSession'];
type Task = EntityTypes['ReplicaTaskSession' | 'CdpReplicaTaskSession'];

/** The row as the EM shows it at `now` (an ISO string), or null when it does not exist yet. */
export function visibleAt<K extends EntityType>(
  type: K,
  row: EntityTypes[K],
  now: string,
): EntityTypes[K] | null {
  if (row.creationTime > now) return null;
  if (row.endTime !== null && row.endTime <= now) return row;
  if (type === 'CdpReplicaTaskSession' && row.endTime === null && (row as Task).state !== 'Completed')
    return row;
  return (
    isTask(type) ? runningTask(row as Task, type) : runningSession(row as Session, type, now)
  ) as EntityTypes[K];
}

const isTask = (type: EntityType): boolean => type.endsWith('TaskSession');

function runningSession(row: Session, type: EntityType, now: string): Session {
  // A replica job shows how far it got; a CDP policy session keeps its Progress (0 in the published samples).
  const end = type === 'ReplicaJobSession' ? row.endTime : null;
  return {
    ...row,
    // A state given as something other than the final one (Pausing, Postprocessing, ...) is kept.
    state: row.state === 'Stopped' ? 'Working' : row.state,
    result: 'None',
    endTime: null,
    progress: end === null ? row.progress : progressAt(row.creationTime, end, now),
    failureMessage: null,
  };
}

function runningTask(row: Task, type: EntityType): Task {
  // The docs show a running CDP task as InProgress with Result Success; a replica task runs with None.
  const result: SessionResult = type === 'CdpReplicaTaskSession' ? 'Success' : 'None';
  return {
    ...row,
    state: row.state === 'Completed' ? 'InProgress' : row.state,
    result,
    endTime: null,
    reason: null,
  };
}

function progressAt(start: string, end: string, now: string): number {
  const from = Date.parse(start);
  return Math.min(99, Math.floor(((Date.parse(now) - from) / (Date.parse(end) - from)) * 100));
}
