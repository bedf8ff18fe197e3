// The filters a poll sends, built in one place so that `replica-alerts check` can send each shape to an EM before
// the first poll does (a real EM that refuses one would fail every poll), and a test can keep the two in step.

import { HOUR } from '../duration.ts';
import { TASK_PARENT } from '../em/client.ts';
import { and, anyOf, compare, type Filter, or } from '../em/filter.ts';
import { type EntityType, TIME_FIELDS } from '../em/model.ts';
import { type SessionType, TASKS } from '../em/runs.ts';

/** Sessions created or ended since `since` (a CDP policy session runs for a day before it ends). */
export function windowFilter(type: SessionType, since: Date): Filter {
  const fields = TIME_FIELDS[type];
  return or(compare(fields.creation, '>=', since), compare(fields.end, '>=', since));
}

/** The window of some backup servers only: servers read from an earlier time than the others. */
export function serversFilter(type: SessionType, servers: readonly string[], since: Date): Filter {
  return and(anyOf('BackupServerUid', servers), windowFilter(type, since));
}

/** Sessions (or task sessions) by their own UID field. */
export function uidFilter(type: EntityType, uids: readonly string[]): Filter {
  return anyOf(TIME_FIELDS[type].uid, uids);
}

/** One query of the poll: the whole window, the servers behind it, and sessions read again by UID. */
export function pollFilter(
  type: SessionType,
  common: Date,
  behind: Filter[],
  uids: readonly string[],
): Filter {
  return or(windowFilter(type, common), ...behind, ...(uids.length ? [uidFilter(type, uids)] : []));
}

export interface Probe {
  name: string;
  type: EntityType;
  filter: Filter;
  /** What a refusal means for the user, and what to do. */
  refused: string;
}

const SERVER = 'urn:veeam:BackupServer:00000000-0000-0000-0000-000000000000';
const urn = (type: string, n: number) => `urn:veeam:${type}:00000000-0000-0000-0000-00000000000${n}`;
const NO_CDP = 'This EM has no CDP query API (older than VBR 12?): run with --no-cdp (setting "cdp": false).';
const REPORT = 'replica-alerts cannot read this EM: report it with the EM version.';

/** Every shape of filter a poll sends, with sample values, for `check`. */
export function probes(now: Date): Probe[] {
  const hourAgo = new Date(now.getTime() - HOUR);
  const cdp = (type: EntityType) => type.startsWith('Cdp');
  return (['ReplicaJobSession', 'CdpReplicaSession'] as const).flatMap((type): Probe[] => {
    const task = TASKS[type].type;
    const sessions = [urn(type, 1), urn(type, 2)];
    const refused = (what: string) => (cdp(type) ? NO_CDP : `${what} ${REPORT}`);
    return [
      {
        name: `${type}: time window, running sessions`,
        type,
        filter: pollFilter(type, hourAgo, [], sessions.slice(0, 1)),
        refused: refused('Sessions cannot be read by time or UID.'),
      },
      {
        name: `${type}: backup servers behind`,
        type,
        filter: pollFilter(
          type,
          hourAgo,
          [serversFilter(type, [SERVER], hourAgo), serversFilter(type, [SERVER, SERVER], hourAgo)],
          sessions,
        ),
        refused: refused(
          'Sessions cannot be read per backup server (BackupServerUid), so late ones would be missed.',
        ),
      },
      {
        name: `${type}: by UID`,
        type,
        filter: uidFilter(type, sessions),
        refused: refused('Sessions cannot be read by UID.'),
      },
      {
        name: `${task}: by parent session`,
        type: task,
        filter: anyOf(TASK_PARENT[task], sessions),
        refused: cdp(task) ? NO_CDP : `VMs cannot be read for a job session (JobSessionUid). ${REPORT}`,
      },
    ];
  });
}
