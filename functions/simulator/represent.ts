// How each session type appears on the wire, format-neutral: attributes, links and elements in the EM's order.
// xml/json renderers (documents.ts) turn a representation into either format.

import type { EntityType, EntityTypes, QueryType } from '../em/model.ts';
import type { Lookup } from './fields.ts';
import type { BackupServer } from './scenario.ts';

export interface LinkRep {
  rel: string;
  type: string | null;
  href: string;
  name: string | null;
}

export type Scalar = string | number | boolean | null;

export interface FieldRep {
  name: string;
  /** A value, or the elements inside this one (a CDP policy's `PolicyScheduleOptions`). */
  value: Scalar | FieldRep[];
  /** How XML shows a null value: left out (`EndTimeUTC` while running) or as an empty element (`<Reason />`). */
  whenNull: 'omit' | 'empty';
}

export interface Representation {
  type: QueryType;
  /** The entity's own `Href` (with `?format=Entity`). */
  href: string;
  /** The reference's `Href`. */
  refHref: string;
  name: string;
  uid: string;
  vmDisplayName: string | null;
  ups: LinkRep[];
  downs: LinkRep[];
  fields: FieldRep[];
}

/** A reference (`<Ref>` in a list): what it points at, and its links. */
export interface RefRep {
  type: string;
  href: string;
  name: string;
  uid: string;
  links: LinkRep[];
}

/** The URL path segment of each type's collection. */
export const COLLECTIONS: Record<EntityType, string> = {
  ReplicaJobSession: 'replicaSessions',
  ReplicaTaskSession: 'replicaTaskSessions',
  CdpReplicaSession: 'cdpReplicaSessions',
  CdpReplicaTaskSession: 'cdpReplicaTaskSessions',
};

/** The bare GUID at the end of a `urn:veeam:<Type>:<guid>` UID, as resource URLs carry it. */
export const guidOf = (uid: string): string => uid.slice(uid.lastIndexOf(':') + 1);

/** EM times drop trailing zeros of the fraction: `06:11.110Z` is written `06:11.11Z`, `.000Z` just `Z`. */
export const emTime = (iso: string | null): string | null =>
  iso === null ? null : iso.replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));

export const link = (
  rel: string,
  type: string | null,
  href: string,
  name: string | null = null,
): LinkRep => ({
  rel,
  type,
  href,
  name,
});
export const field = (
  name: string,
  value: FieldRep['value'],
  whenNull: FieldRep['whenNull'] = 'omit',
): FieldRep => ({
  name,
  value,
  whenNull,
});

/** A backup server's reference, with the links Veeam's sample of one shows. */
export function backupServerRef(server: BackupServer, base: string): RefRep {
  const href = `${base}backupServers/${guidOf(server.uid)}`;
  const down = (type: string, path: string) => link('Down', type, `${href}/${path}`);
  return {
    type: 'BackupServerReference',
    href,
    name: server.name,
    uid: server.uid,
    links: [
      down('JobReferenceList', 'jobs'),
      down('RepositoryReferenceList', 'repositories'),
      down('ExternalRepositoryReferenceList', 'externalRepositories'),
      down('CredentialsList', 'credentials'),
      down('PasswordKeyList', 'passwords'),
      link('Alternate', 'BackupServer', `${href}?format=Entity`, server.name),
      down('ManagedServerReferenceList', 'managedServers'),
    ],
  };
}

/** Any session or task session: what every type has. */
type Row = EntityTypes[EntityType];

type Describe<T> = (
  row: T,
  base: string,
  lookup: Lookup,
) => Omit<Representation, 'href' | 'refHref' | 'type'>;

export function serverLink(
  row: { backupServerUid: string | null; backupServerName: string | null },
  base: string,
): LinkRep[] {
  if (row.backupServerUid === null) return [];
  const href = `${base}backupServers/${guidOf(row.backupServerUid)}`;
  return [link('Up', 'BackupServerReference', href, row.backupServerName)];
}

/** The times, state and result, in this order on every type. */
const lifecycle = (row: Row): FieldRep[] => [
  field('CreationTimeUTC', emTime(row.creationTime)),
  field('EndTimeUTC', emTime(row.endTime)),
  field('State', row.state),
  field('Result', row.result),
];

/** A job run or policy session, linked up to its job or policy and down to its task sessions. */
function session<T extends EntityTypes['ReplicaJobSession' | 'CdpReplicaSession']>(shape: {
  type: 'ReplicaJobSession' | 'CdpReplicaSession';
  tasks: 'ReplicaTaskSession' | 'CdpReplicaTaskSession';
  /** The link up to its job or policy. */
  owner: (row: T, base: string) => LinkRep;
  /** The elements naming its job or policy, first in the entity. */
  ownerFields: (row: T) => FieldRep[];
  failureWhenNull: FieldRep['whenNull'];
}): Describe<T> {
  const { type, tasks } = shape;
  return (row, base) => ({
    name: row.name,
    uid: row.uid,
    vmDisplayName: null,
    ups: [...serverLink(row, base), shape.owner(row, base)],
    downs: [
      link(
        'Down',
        `${tasks}ReferenceList`,
        `${base}${COLLECTIONS[type]}/${guidOf(row.uid)}/${COLLECTIONS[tasks]}`,
      ),
    ],
    fields: [
      ...shape.ownerFields(row),
      ...lifecycle(row),
      field('Progress', row.progress),
      field('FailureMessage', row.failureMessage, shape.failureWhenNull),
      field('IsRetry', row.isRetry),
    ],
  });
}

/** A VM's task session, linked up to its job or policy session; only replica tasks write an empty `<Reason />`. */
function taskSession<T extends EntityTypes['ReplicaTaskSession' | 'CdpReplicaTaskSession']>(shape: {
  parentField: 'JobSessionUid' | 'PolicySessionUid';
  parentType: 'ReplicaJobSession' | 'CdpReplicaSession';
  parentOf: (row: T) => string;
  reasonWhenNull: FieldRep['whenNull'];
}): Describe<T> {
  const { parentField, parentType } = shape;
  return (row, base, lookup) => {
    const parent = shape.parentOf(row);
    const found =
      parentType === 'ReplicaJobSession' ? lookup.jobSession(parent) : lookup.policySession(parent);
    return {
      name: row.name,
      uid: row.uid,
      vmDisplayName: row.vmDisplayName,
      ups: [
        ...serverLink(row, base),
        link(
          'Up',
          `${parentType}Reference`,
          `${base}${COLLECTIONS[parentType]}/${guidOf(parent)}`,
          found?.name ?? null,
        ),
      ],
      downs: [],
      fields: [
        field(parentField, parent),
        ...lifecycle(row),
        field('Reason', row.reason, shape.reasonWhenNull),
        field('TotalSize', row.totalSize),
      ],
    };
  };
}

const DESCRIBE: { [K in EntityType]: Describe<EntityTypes[K]> } = {
  ReplicaJobSession: session({
    type: 'ReplicaJobSession',
    tasks: 'ReplicaTaskSession',
    owner: (row, base) => link('Up', 'JobReference', `${base}jobs/${guidOf(row.jobUid)}`, row.jobName),
    ownerFields: (row) => [
      field('JobUid', row.jobUid),
      field('JobName', row.jobName),
      field('JobType', row.jobType),
    ],
    failureWhenNull: 'omit',
  }),
  ReplicaTaskSession: taskSession({
    parentField: 'JobSessionUid',
    parentType: 'ReplicaJobSession',
    parentOf: (row) => row.jobSessionUid,
    reasonWhenNull: 'empty',
  }),
  CdpReplicaSession: session({
    type: 'CdpReplicaSession',
    tasks: 'CdpReplicaTaskSession',
    owner: (row, base) =>
      link('Up', 'CdpPolicyReference', `${base}cdpPolicies/${guidOf(row.policyUid)}`, row.policyName),
    ownerFields: (row) => [
      field('PolicyUid', row.policyUid),
      field('PolicyName', row.policyName),
      field('PolicyType', 'CdpReplica'),
    ],
    failureWhenNull: 'empty',
  }),
  CdpReplicaTaskSession: taskSession({
    parentField: 'PolicySessionUid',
    parentType: 'CdpReplicaSession',
    parentOf: (row) => row.policySessionUid,
    reasonWhenNull: 'omit',
  }),
};

/** `base` is the API base URL ending in `/api/`. */
export function represent<K extends EntityType>(
  type: K,
  row: EntityTypes[K],
  base: string,
  lookup: Lookup,
): Representation {
  const guid = guidOf(row.uid);
  const refHref = `${base}${COLLECTIONS[type]}/${guid}`;
  // Quirk kept from the docs: a CDP task session's own Href points at /replicaTaskSessions/.
  const own = type === 'CdpReplicaTaskSession' ? `${base}replicaTaskSessions/${guid}` : refHref;
  return { type, href: `${own}?format=Entity`, refHref, ...DESCRIBE[type](row, base, lookup) };
}
