// The filterable (and sortable) fields of each query type, named exactly as em-rest-api.md lists them. Task
// fields that live on the parent session (JobUid, JobName, PolicySessionName) are read through a lookup.

import type { CdpReplicaSession, EntityType, EntityTypes, ReplicaJobSession } from '../em/model.ts';
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

/** Any session or task session: what every type has. */
type Row = EntityTypes[EntityType];

export const field = <T>(name: string, kind: FieldKind, get: (row: T) => RawValue): Field<T> => ({
  name,
  kind,
  get,
});

/** How a type spells its UID and times: replica types as the query filter names them, CDP types with `UTC`. */
interface Spelling {
  uid: string;
  creation: string;
  end: string;
}
const REPLICA: Spelling = { uid: 'UID', creation: 'CreationTime', end: 'EndTime' };
const CDP: Spelling = { uid: 'Id', creation: 'CreationTimeUTC', end: 'EndTimeUTC' };

const identity = ({ uid }: Spelling): Field<Row>[] => [
  field(uid, TEXT, (r) => r.uid),
  field('Name', TEXT, (r) => r.name),
];
const lifetime = ({ creation, end }: Spelling, state: FieldKind): Field<Row>[] => [
  field(creation, TIME, (r) => r.creationTime),
  field(end, TIME, (r) => r.endTime),
  field('State', state, (r) => r.state),
];
const result: Field<Row> = field('Result', RESULT, (r) => r.result);
const server: Field<Row>[] = [
  field('BackupServerUid', TEXT, (r) => r.backupServerUid),
  field('BackupServerName', TEXT, (r) => r.backupServerName),
];

export function fieldSets(lookup: Lookup): FieldSets {
  return {
    ReplicaJobSession: {
      type: 'ReplicaJobSession',
      fields: [
        ...identity(REPLICA),
        field('JobType', TEXT, (r) => r.jobType),
        field('JobUid', TEXT, (r) => r.jobUid),
        field('JobName', TEXT, (r) => r.jobName),
        ...lifetime(REPLICA, SESSION_STATE),
        result,
        field('IsRetry', BOOLEAN, (r) => r.isRetry),
        ...server,
      ],
    },
    ReplicaTaskSession: {
      type: 'ReplicaTaskSession',
      fields: [
        ...identity(REPLICA),
        ...lifetime(REPLICA, TASK_STATE),
        result,
        field('Reason', TEXT, (r) => r.reason),
        field('TotalSize', NUMBER, (r) => r.totalSize),
        field('JobSessionUid', TEXT, (r) => r.jobSessionUid),
        field('JobUid', TEXT, (r) => lookup.jobSession(r.jobSessionUid)?.jobUid ?? null),
        field('JobName', TEXT, (r) => lookup.jobSession(r.jobSessionUid)?.jobName ?? null),
        ...server,
        field('VmDisplayName', TEXT, (r) => r.vmDisplayName),
      ],
    },
    CdpReplicaSession: {
      type: 'CdpReplicaSession',
      fields: [
        ...identity(CDP),
        field('PolicyUid', TEXT, (r) => r.policyUid),
        field('PolicyName', TEXT, (r) => r.policyName),
        ...server,
        ...lifetime(CDP, SESSION_STATE),
        result,
        field('FailureMessage', TEXT, (r) => r.failureMessage),
      ],
    },
    CdpReplicaTaskSession: {
      type: 'CdpReplicaTaskSession',
      fields: [
        ...identity(CDP),
        field('PolicySessionUid', TEXT, (r) => r.policySessionUid),
        field('PolicySessionName', TEXT, (r) => lookup.policySession(r.policySessionUid)?.name ?? null),
        ...server,
        ...lifetime(CDP, TASK_STATE),
        field('Reason', TEXT, (r) => r.reason),
        field('TotalSize', NUMBER, (r) => r.totalSize),
        field('VmDisplayName', TEXT, (r) => r.vmDisplayName),
      ],
    },
  };
}
