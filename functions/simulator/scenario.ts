// A scenario is plain data: the sessions an EM knows, each as it will be once finished, the jobs and CDP policies
// whose schedules it lists, and the simulated time. The clock decides how much of it the EM shows (see
// visibility.ts; a schedule's NextRun: schedules.ts).

import type {
  CdpReplicaSession,
  CdpReplicaTaskSession,
  EntityType,
  ReplicaJobSession,
  ReplicaTaskSession,
  ScheduleType,
} from '../em/model.ts';

export interface BackupServer {
  /** `urn:veeam:BackupServer:<guid>` */
  uid: string;
  name: string;
}

/**
 * A job or CDP policy as `query?type=Job` / `query?type=CdpPolicy` list it. Only those given a schedule are listed
 * (ScenarioBuilder's `schedule()`), so a scenario without any is an EM whose schedules say nothing.
 */
export interface ScheduleRow extends BackupServerOf {
  /** `urn:veeam:Job:<guid>` or `urn:veeam:CdpPolicy:<guid>`, as its sessions carry it. */
  uid: string;
  name: string;
  /** A job's `JobType` (`Replica`; a test may list others). */
  jobType?: string;
  scheduleConfigured: boolean;
  scheduleEnabled: boolean;
  /** The first run by the schedule (ISO); null for none. Without `everyMin`, NextRun stays at it as the clock passes it. */
  firstRun: string | null;
  /** Runs every so many minutes from `firstRun`: NextRun is the first of them after the clock. */
  everyMin?: number;
  /** A CDP policy's recovery point objective. */
  rpoSeconds?: number;
}

interface BackupServerOf {
  backupServerUid: string;
  backupServerName: string;
}

export interface Scenario {
  backupServers: BackupServer[];
  replicaJobSessions: ReplicaJobSession[];
  replicaTaskSessions: ReplicaTaskSession[];
  cdpReplicaSessions: CdpReplicaSession[];
  cdpReplicaTaskSessions: CdpReplicaTaskSession[];
  /** `query?type=Job` answers (Portal Administrator only). */
  jobs?: ScheduleRow[];
  /** `query?type=CdpPolicy` answers (Portal Administrator only). */
  cdpPolicies?: ScheduleRow[];
  /** The simulated time the EM starts at. */
  now: string;
}

/** The scenario list holding each entity type. */
export const SCENARIO_LISTS = {
  ReplicaJobSession: 'replicaJobSessions',
  ReplicaTaskSession: 'replicaTaskSessions',
  CdpReplicaSession: 'cdpReplicaSessions',
  CdpReplicaTaskSession: 'cdpReplicaTaskSessions',
} as const satisfies Record<EntityType, keyof Scenario>;

/** The scenario list holding each schedule type's rows. */
export const SCHEDULE_LISTS = { Job: 'jobs', CdpPolicy: 'cdpPolicies' } as const satisfies Record<
  ScheduleType,
  keyof Scenario
>;

export function emptyScenario(now: string): Scenario {
  return {
    backupServers: [],
    replicaJobSessions: [],
    replicaTaskSessions: [],
    cdpReplicaSessions: [],
    cdpReplicaTaskSessions: [],
    now,
  };
}
