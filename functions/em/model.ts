// The normalised session model: what the EM client returns and what the simulator serves, whichever wire
// format (XML or JSON) carried it. Plain data only, so the alert engine can be tested without I/O.
// Times are ISO-8601 UTC strings with millisecond precision; enum values the EM may extend are kept as strings.

/** `Result` of a session or task. `None` while running; unknown future values are kept verbatim. */
export type SessionResult = 'Success' | 'Warning' | 'Failed' | 'None' | (string & {});
/** Job/policy session `State`: Starting, Stopping, Working, Pausing, Resuming, Stopped, or an unknown value. */
export type SessionState =
  | 'Starting'
  | 'Stopping'
  | 'Working'
  | 'Pausing'
  | 'Resuming'
  | 'Stopped'
  | (string & {});
/** Task (per-VM) `State`: InProgress, Pending, Completed, or an unknown value. */
export type TaskState = 'InProgress' | 'Pending' | 'Completed' | (string & {});

interface OnBackupServer {
  /** `urn:veeam:BackupServer:<guid>`, from the `BackupServerReference` link; null when the EM omits it. */
  backupServerUid: string | null;
  /** The backup server's name, from the `BackupServerReference` link. */
  backupServerName: string | null;
}

/** What a replication job run and a CDP policy session both report. */
interface SessionFields extends OnBackupServer {
  uid: string;
  name: string;
  creationTime: string;
  endTime: string | null;
  state: SessionState;
  result: SessionResult;
  progress: number | null;
  isRetry: boolean;
  failureMessage: string | null;
}

/** What a VM's part in either reports. */
interface TaskFields extends OnBackupServer {
  uid: string;
  name: string;
  vmDisplayName: string;
  creationTime: string;
  endTime: string | null;
  state: TaskState;
  result: SessionResult;
  /** Why the VM ended Warning or Failed, verbatim; null when empty or absent. */
  reason: string | null;
  totalSize: number | null;
}

/** One run of a replication job (`ReplicaJobSession`). */
export interface ReplicaJobSession extends SessionFields {
  jobUid: string;
  jobName: string;
  jobType: string;
}

/** One VM within a replication job run (`ReplicaTaskSession`). */
export interface ReplicaTaskSession extends TaskFields {
  jobSessionUid: string;
}

/** One CDP policy session (`CdpReplicaSession`; a new one starts every 24 hours). */
export interface CdpReplicaSession extends SessionFields {
  policyUid: string;
  policyName: string;
}

/** One VM's sync within a CDP policy session (`CdpReplicaTaskSession`). */
export interface CdpReplicaTaskSession extends TaskFields {
  policySessionUid: string;
}

/**
 * Only a `Stopped` session with a real result is final; running sessions, `None` results and unknown states are
 * looked at again at the next poll.
 */
export const isFinal = (session: { state: string; result: string }): boolean =>
  session.state === 'Stopped' && ['Success', 'Warning', 'Failed'].includes(session.result);

/** The entity types the client queries, mapped to their model. */
export interface EntityTypes {
  ReplicaJobSession: ReplicaJobSession;
  ReplicaTaskSession: ReplicaTaskSession;
  CdpReplicaSession: CdpReplicaSession;
  CdpReplicaTaskSession: CdpReplicaTaskSession;
}
export type EntityType = keyof EntityTypes;
export const ENTITY_TYPES: readonly EntityType[] = [
  'ReplicaJobSession',
  'ReplicaTaskSession',
  'CdpReplicaSession',
  'CdpReplicaTaskSession',
];

/** The filter field names that hold each type's creation time (replica and CDP types spell them differently). */
export const TIME_FIELDS: Record<EntityType, { creation: string; end: string; uid: string }> = {
  ReplicaJobSession: { creation: 'CreationTime', end: 'EndTime', uid: 'UID' },
  ReplicaTaskSession: { creation: 'CreationTime', end: 'EndTime', uid: 'UID' },
  CdpReplicaSession: { creation: 'CreationTimeUTC', end: 'EndTimeUTC', uid: 'Id' },
  CdpReplicaTaskSession: { creation: 'CreationTimeUTC', end: 'EndTimeUTC', uid: 'Id' },
};

/**
 * The schedule query types: `query?type=Job` (every job; we keep replica jobs) and `query?type=CdpPolicy`. Both need
 * the EM role Portal Administrator; both filter and sort by `UID`.
 */
export const SCHEDULE_TYPES = ['Job', 'CdpPolicy'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];
export const isScheduleType = (type: string): type is ScheduleType =>
  (SCHEDULE_TYPES as readonly string[]).includes(type);
/** Every type the client queries. */
export type QueryType = EntityType | ScheduleType;

/** The filter and sort field of a query type's UID. */
export const uidField = (type: QueryType): string => (isScheduleType(type) ? 'UID' : TIME_FIELDS[type].uid);

/**
 * A replica job's or CDP policy's schedule, as the schedule queries give it. A field the EM leaves out or garbles is
 * null (the reader says which): rules treat it as not said and fall back, as for an EM that cannot be asked.
 */
export interface Schedule extends OnBackupServer {
  kind: 'replica-job' | 'cdp-policy';
  /** `urn:veeam:Job:<guid>` (a replica session's `jobUid`) or `urn:veeam:CdpPolicy:<guid>` (a CDP session's `policyUid`). */
  uid: string;
  name: string;
  /** `ScheduleConfigured`: false for a job run only by hand, which is never late. */
  scheduleConfigured: boolean | null;
  /** `ScheduleEnabled`: false for a disabled job or policy. */
  scheduleEnabled: boolean | null;
  /** `NextRun`, ISO UTC; null when the EM gives none (the docs: scheduled jobs only). */
  nextRun: string | null;
  /** CDP policies: the recovery point objective (`PolicyScheduleOptions`); absent when not given or unreadable. */
  rpo?: { seconds: number };
}

export type WireFormat = 'xml' | 'json';
