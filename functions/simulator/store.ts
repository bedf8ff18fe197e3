// The sessions the simulated EM knows, per entity type, in a fixed scrambled order (by a hash of the UID) so
// that unsorted queries come back in no useful order while staying deterministic. UID and parent-UID fields are
// indexed, so OR batches of `JobSessionUid==...` terms over hundreds of thousands of tasks stay fast.

import type {
  CdpReplicaSession,
  EntityType,
  EntityTypes,
  ReplicaJobSession,
  ScheduleType,
} from '../em/model.ts';
import { parseEmTime } from '../em/time.ts';
import { type FieldSets, fieldSets, type Lookup } from './fields.ts';
import { hash32 } from './random.ts';
import {
  type BackupServer,
  SCENARIO_LISTS,
  SCHEDULE_LISTS,
  type Scenario,
  type ScheduleRow,
} from './scenario.ts';

export interface Entry<T> {
  row: T;
  /** Position in the scrambled order. */
  readonly order: number;
}

type Row = EntityTypes[EntityType];
/** What the store needs of a row. */
interface Timed {
  uid: string;
  creationTime: string;
  endTime: string | null;
}

interface Index<T> {
  /** The filter field name, lower case. */
  readonly field: string;
  readonly keyOf: (row: T) => string;
  /** Key (lower case) → entries. */
  readonly map: Map<string, Entry<T>[]>;
}

export class Table<T extends Timed> {
  private readonly entries: Entry<T>[] = [];
  private readonly byUid = new Map<string, Entry<T>>();
  private readonly indexes: Index<T>[];

  /** `uidField` is the filter field of the UID (`UID` or `Id`); `indexed` names other fields to index. */
  constructor(
    private readonly uidField: string,
    indexed: Record<string, (row: T) => string> = {},
  ) {
    this.indexes = Object.entries(indexed).map(([field, keyOf]) => ({
      field: field.toLowerCase(),
      keyOf,
      map: new Map(),
    }));
  }

  all(): readonly Entry<T>[] {
    return this.entries;
  }

  get(uid: string): T | undefined {
    return this.byUid.get(uid.toLowerCase())?.row;
  }

  /** Entries whose indexed `field` equals `value` (both case-insensitive), or undefined if it is not indexed. */
  lookup(field: string, value: string): readonly Entry<T>[] | undefined {
    if (field.toLowerCase() === this.uidField.toLowerCase()) {
      const entry = this.byUid.get(value.toLowerCase());
      return entry ? [entry] : [];
    }
    const index = this.indexes.find((i) => i.field === field.toLowerCase());
    return index && (index.map.get(value.toLowerCase()) ?? []);
  }

  /** Adds rows; a row whose UID is already known replaces the old one. */
  upsert(rows: readonly T[]): void {
    let replaced = false;
    for (const given of rows) {
      const row = normaliseTimes(given);
      const uid = row.uid.toLowerCase();
      const existing = this.byUid.get(uid);
      if (existing) {
        existing.row = row;
        replaced = true;
        continue;
      }
      const entry = { row, order: hash32(uid) };
      this.byUid.set(uid, entry);
      this.entries.push(entry);
      this.addToIndexes(entry);
    }
    this.entries.sort(byOrder);
    if (replaced) {
      // A replaced row may have new keys: rebuild rather than track old ones.
      for (const index of this.indexes) index.map.clear();
      for (const entry of this.entries) this.addToIndexes(entry);
    }
  }

  private addToIndexes(entry: Entry<T>): void {
    for (const { keyOf, map } of this.indexes) {
      const key = keyOf(entry.row).toLowerCase();
      const bucket = map.get(key);
      if (bucket) bucket.push(entry);
      else map.set(key, [entry]);
    }
  }
}

export const byOrder = (a: Entry<unknown>, b: Entry<unknown>): number => a.order - b.order;

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Times compare as strings in the store, so every time must be in the one canonical ISO form. */
function normaliseTimes<T extends Timed>(row: T): T {
  const canonical = (time: string, field: string): string => {
    if (CANONICAL_TIME.test(time)) return time;
    const parsed = parseEmTime(time);
    if (parsed === null) throw new RangeError(`Scenario row ${row.uid} has an invalid ${field}: ${time}`);
    return parsed;
  };
  const creationTime = canonical(row.creationTime, 'creationTime');
  const endTime = row.endTime === null ? null : canonical(row.endTime, 'endTime');
  return creationTime === row.creationTime && endTime === row.endTime
    ? row
    : { ...row, creationTime, endTime };
}

export type Tables = { [K in EntityType]: Table<EntityTypes[K]> };

export class Store implements Lookup {
  readonly tables: Tables = {
    ReplicaJobSession: new Table('UID'),
    ReplicaTaskSession: new Table('UID', { JobSessionUid: (r) => r.jobSessionUid }),
    CdpReplicaSession: new Table('Id'),
    CdpReplicaTaskSession: new Table('Id', { PolicySessionUid: (r) => r.policySessionUid }),
  };
  readonly fields: FieldSets = fieldSets(this);
  /** By lower-case UID, in the order first added. */
  private readonly servers = new Map<string, BackupServer>();
  /** Jobs and CDP policies with a schedule, by lower-case UID: a row added again replaces the old one. */
  private readonly scheduled: Record<ScheduleType, Map<string, ScheduleRow>> = {
    Job: new Map(),
    CdpPolicy: new Map(),
  };

  add(scenario: Partial<Scenario>): void {
    for (const server of scenario.backupServers ?? []) this.servers.set(server.uid.toLowerCase(), server);
    for (const type of Object.keys(SCHEDULE_LISTS) as ScheduleType[]) {
      for (const row of scenario[SCHEDULE_LISTS[type]] ?? [])
        this.scheduled[type].set(row.uid.toLowerCase(), row);
    }
    for (const type of Object.keys(SCENARIO_LISTS) as EntityType[]) {
      const rows = scenario[SCENARIO_LISTS[type]];
      if (rows) (this.tables[type] as Table<Row>).upsert(rows);
    }
  }

  backupServers(): BackupServer[] {
    return [...this.servers.values()];
  }

  schedules(type: ScheduleType): ScheduleRow[] {
    return [...this.scheduled[type].values()];
  }

  jobSession(uid: string): ReplicaJobSession | undefined {
    return this.tables.ReplicaJobSession.get(uid);
  }

  policySession(uid: string): CdpReplicaSession | undefined {
    return this.tables.CdpReplicaSession.get(uid);
  }
}
