// A scenario is plain data: the sessions an EM knows, each as it will be once finished, and the simulated time.
// The clock decides how much of it the EM shows (see visibility.ts).

import type {
  CdpReplicaSession,
  CdpReplicaTaskSession,
  EntityType,
  ReplicaJobSession,
  ReplicaTaskSession,
} from '../em/model.ts';

export interface BackupServer {
  /** `urn:veeam:BackupServer:<guid>` */
  uid: string;
  name: string;
}

export interface Scenario {
  backupServers: BackupServer[];
  replicaJobSessions: ReplicaJobSession[];
  replicaTaskSessions: ReplicaTaskSession[];
  cdpReplicaSessions: CdpReplicaSession[];
  cdpReplicaTaskSessions: CdpReplicaTaskSession[];
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
