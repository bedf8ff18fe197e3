// The filterable (and sortable) fields of each query type, named exactly as em-rest-api.md lists them. Task
// fields that live on the parent session (JobUid, JobName, PolicySessionName) are read through a lookup.

import type {
  CdpReplicaSession,
  CdpReplicaTaskSession,
  EntityType,
  EntityTypes,
  ReplicaJobSession,
  ReplicaTaskSession,
} from '../em/model.ts';
import {
  BOOLEAN,
  enumKind,
  type Field,
  type FieldKind,
  type FieldSet,
  NUMBER,
  type RawValue,
  TEXT,
  TIME,
} from './filter.ts';

const RESULT = enumKind(['None', 'Success', 'Warning', 'Failed']);
const SESSION_STATE = enumKind(['Starting', 'Stopping', 'Working', 'Pausing', 'Resuming', 'Stopped']);
const TASK_STATE = enumKind(['Pending', 'InProgress', 'Completed']);

/** Parent sessions by UID, for the task fields that belong to them. */
export interface Lookup {
  jobSession(uid: string): ReplicaJobSession | undefined;
  policySession(uid: string): CdpReplicaSession | undefined;
}

export type FieldSets = { [K in EntityType]: FieldSet<EntityTypes[K]> };

const field = <T>(name: string, kind: FieldKind, get: (row: T) => RawValue): Field<T> => ({
  name,
  kind,
  get,
});

interface OnServer {
  backupServerUid: string | null;
  backupServerName: string | null;
}
const serverFields = <T extends OnServer>(): Field<T>[] => [
  field('BackupServerUid', TEXT, (r) => r.backupServerUid),
  field('BackupServerName', TEXT, (r) => r.backupServerName),
];

export function fieldSets(lookup: Lookup): FieldSets {
  return {
    ReplicaJobSession: {
      type: 'ReplicaJobSession',
      fields: [
        field<ReplicaJobSession>('UID', TEXT, (r) => r.uid),
        field('Name', TEXT, (r) => r.name),
        field('JobType', TEXT, (r) => r.jobType),
        field('JobUid', TEXT, (r) => r.jobUid),
        field('JobName', TEXT, (r) => r.jobName),
        field('CreationTime', TIME, (r) => r.creationTime),
        field('EndTime', TIME, (r) => r.endTime),
        field('State', SESSION_STATE, (r) => r.state),
        field('Result', RESULT, (r) => r.result),
        field('IsRetry', BOOLEAN, (r) => r.isRetry),
        ...serverFields<ReplicaJobSession>(),
      ],
    },
    ReplicaTaskSession: {
      type: 'ReplicaTaskSession',
      fields: [
        field<ReplicaTaskSession>('UID', TEXT, (r) => r.uid),
        field('Name', TEXT, (r) => r.name),
        field('CreationTime', TIME, (r) => r.creationTime),
        field('EndTime', TIME, (r) => r.endTime),
        field('State', TASK_STATE, (r) => r.state),
        field('Result', RESULT, (r) => r.result),
        field('Reason', TEXT, (r) => r.reason),
        field('TotalSize', NUMBER, (r) => r.totalSize),
        field('JobSessionUid', TEXT, (r) => r.jobSessionUid),
        field('JobUid', TEXT, (r) => lookup.jobSession(r.jobSessionUid)?.jobUid ?? null),
        field('JobName', TEXT, (r) => lookup.jobSession(r.jobSessionUid)?.jobName ?? null),
        ...serverFields<ReplicaTaskSession>(),
        field('VmDisplayName', TEXT, (r) => r.vmDisplayName),
      ],
    },
    CdpReplicaSession: {
      type: 'CdpReplicaSession',
      fields: [
        field<CdpReplicaSession>('Id', TEXT, (r) => r.uid),
        field('Name', TEXT, (r) => r.name),
        field('PolicyUid', TEXT, (r) => r.policyUid),
        field('PolicyName', TEXT, (r) => r.policyName),
        ...serverFields<CdpReplicaSession>(),
        field('CreationTimeUTC', TIME, (r) => r.creationTime),
        field('EndTimeUTC', TIME, (r) => r.endTime),
        field('State', SESSION_STATE, (r) => r.state),
        field('Result', RESULT, (r) => r.result),
        field('FailureMessage', TEXT, (r) => r.failureMessage),
      ],
    },
    CdpReplicaTaskSession: {
      type: 'CdpReplicaTaskSession',
      fields: [
        field<CdpReplicaTaskSession>('Id', TEXT, (r) => r.uid),
        field('Name', TEXT, (r) => r.name),
        field('PolicySessionUid', TEXT, (r) => r.policySessionUid),
        field('PolicySessionName', TEXT, (r) => lookup.policySession(r.policySessionUid)?.name ?? null),
        ...serverFields<CdpReplicaTaskSession>(),
        field('CreationTimeUTC', TIME, (r) => r.creationTime),
        field('EndTimeUTC', TIME, (r) => r.endTime),
        field('State', TASK_STATE, (r) => r.state),
        field('Reason', TEXT, (r) => r.reason),
        field('TotalSize', NUMBER, (r) => r.totalSize),
        field('VmDisplayName', TEXT, (r) => r.vmDisplayName),
      ],
    },
  };
}
