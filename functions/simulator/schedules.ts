// The schedule queries (`query?type=Job`, `query?type=CdpPolicy`) and the CDP policy entity, from the scenario's
// schedule rows: NextRun worked out at the clock, the filter fields Veeam's query pages list, and entities in the
// shapes of the published samples (fixtures/em: job-entity.xml, query-cdp-policy.xml), less the job and policy
// settings (retention, guest processing, includes) that replica-alerts never reads.

import { MINUTE } from '../duration.ts';
import type { ScheduleType } from '../em/model.ts';
import { field as filterField } from './fields.ts';
import { BOOLEAN, type Field, type FieldSet, TEXT, TIME } from './filter.ts';
import { type Selection, selectFrom } from './query.ts';
import { emTime, type FieldRep, field, guidOf, type Representation, serverLink } from './represent.ts';
import type { ScheduleRow } from './scenario.ts';
import type { Store } from './store.ts';

/** A row as the EM shows it at one moment. */
export interface ShownSchedule extends ScheduleRow {
  nextRun: string | null;
}

/** The collection each type's entities live in. */
const COLLECTION: Record<ScheduleType, string> = { Job: 'jobs', CdpPolicy: 'cdpPolicies' };
const PLATFORM = 'VMware';

/** NextRun at `now`: none unless scheduled and enabled; a fixed time stays once passed, a period moves on. */
export function nextRunAt(row: ScheduleRow, now: string): string | null {
  if (!row.scheduleConfigured || !row.scheduleEnabled || row.firstRun === null) return null;
  if (row.everyMin === undefined || row.firstRun > now) return row.firstRun;
  const first = Date.parse(row.firstRun);
  const period = row.everyMin * MINUTE;
  return new Date(first + (Math.floor((Date.parse(now) - first) / period) + 1) * period).toISOString();
}

// `GET /query?type=CdpPolicy` lists these; `GET /query?type=Job` adds JobType and Platform.
const COMMON: Field<ShownSchedule>[] = [
  filterField('UID', TEXT, (r) => r.uid),
  filterField('Name', TEXT, (r) => r.name),
  filterField('Description', TEXT, () => null),
  filterField('NextRun', TIME, (r) => r.nextRun),
  filterField('ScheduleConfigured', BOOLEAN, (r) => r.scheduleConfigured),
  filterField('ScheduleEnabled', BOOLEAN, (r) => r.scheduleEnabled),
  filterField('BackupServerUid', TEXT, (r) => r.backupServerUid),
  filterField('BackupServerName', TEXT, (r) => r.backupServerName),
];
const FIELDS: Record<ScheduleType, FieldSet<ShownSchedule>> = {
  Job: {
    type: 'Job',
    fields: [
      ...COMMON,
      filterField('JobType', TEXT, (r) => r.jobType ?? null),
      filterField('Platform', TEXT, () => PLATFORM),
    ],
  },
  CdpPolicy: { type: 'CdpPolicy', fields: COMMON },
};

/** The rows of `type` as shown at `now` that the filter selects, sorted as asked. */
export function selectSchedules(
  store: Store,
  type: ScheduleType,
  now: string,
  selection: Selection,
): ShownSchedule[] {
  return selectFrom(FIELDS[type], selection, (_node, test) =>
    store.schedules(type).flatMap((row) => {
      const shown = { ...row, nextRun: nextRunAt(row, now) };
      return test(shown) ? [shown] : [];
    }),
  );
}

/** The row of this type and GUID as shown at `now`, if any. */
export function findSchedule(store: Store, type: ScheduleType, guid: string, now: string) {
  const uid = `urn:veeam:${type}:${guid}`.toLowerCase();
  const row = store.schedules(type).find((r) => r.uid.toLowerCase() === uid);
  return row && { ...row, nextRun: nextRunAt(row, now) };
}

/** A CDP policy's RPO in one unit, the other 0, as in the published sample (15 seconds, 0 minutes). */
function rpoFields(seconds: number): FieldRep[] {
  const whole = seconds >= 60 && seconds % 60 === 0;
  return [
    field('RecoveryPointObjectiveSeconds', whole ? 0 : seconds),
    field('RecoveryPointObjectiveMinutes', whole ? seconds / 60 : 0),
  ];
}

/** Elements in the published samples' order: type, platform, description, schedule, NextRun (when there is one). */
export function representSchedule(type: ScheduleType, row: ShownSchedule, base: string): Representation {
  const refHref = `${base}${COLLECTION[type]}/${guidOf(row.uid)}`;
  const head = type === 'Job' ? field('JobType', row.jobType ?? null) : field('PolicyType', 'CdpReplica');
  const options =
    row.rpoSeconds === undefined
      ? []
      : [field('PolicyScheduleOptions', [field('CdpReplica', rpoFields(row.rpoSeconds))])];
  return {
    type,
    href: `${refHref}?format=Entity`,
    refHref,
    name: row.name,
    uid: row.uid,
    vmDisplayName: null,
    ups: serverLink(row, base),
    downs: [],
    fields: [
      head,
      field('Platform', PLATFORM),
      field('Description', null, 'empty'),
      field('ScheduleConfigured', row.scheduleConfigured),
      field('ScheduleEnabled', row.scheduleEnabled),
      field('NextRun', emTime(row.nextRun)),
      ...(type === 'CdpPolicy' ? options : []),
    ],
  };
}
