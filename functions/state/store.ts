// What the poller remembers between polls, behind a small interface so the Lambda (DynamoDB), the CLI (embedded
// dynalite on disk) and the tests share one implementation contract. State values are opaque JSON-able data owned
// by the alert engine; the store only adds versions (optimistic concurrency), TTLs and the delivery outbox.
// Each method takes one record, as Powertools' idempotency persistence layer does: named fields, no positions.
// The order in which a poll writes, and what a stop between two writes leaves, is in docs/state.md.

/** One subject's alert state (a replica job, a CDP policy, an EM), with the version it was read at. */
export interface SubjectRecord<T = unknown> {
  key: string;
  state: T;
  version: number;
}

export interface EmSnapshot<T = unknown, M = unknown> {
  /** The reader's bookkeeping (its cursors, running sessions), as last saved; null before the first save. */
  meta: M | null;
  metaVersion: number;
  subjects: SubjectRecord<T>[];
}

/** An event recorded before publishing, with the channels it still has to reach. */
export interface OutboxEvent<E = unknown> {
  id: string;
  createdAt: string;
  seq: number;
  event: E;
  pendingChannels: string[];
}

/** The poll lease of one scope (an EM), held by `holder` until `nowMs + ttlMs` unless released. */
export interface Lease {
  scope: string;
  holder: string;
  nowMs: number;
  ttlMs: number;
}

export interface SubjectWrite<T = unknown> extends SubjectRecord<T> {
  em: string;
  /** null keeps the item until it is written again with an expiry. */
  expiresAtMs: number | null;
}

export interface MetaWrite<M = unknown> {
  em: string;
  meta: M;
  /** The version it was read at (0: never saved). */
  version: number;
}

export interface EventWrite<E = unknown> {
  em: string;
  id: string;
  event: E;
  channels: readonly string[];
  nowMs: number;
  /** Orders the events of one poll (they share `nowMs`) for delivery. */
  seq: number;
}

export interface EventRef {
  em: string;
  id: string;
}

/** Events of one EM, by id. */
export interface EventRefs {
  em: string;
  ids: readonly string[];
}

/** At most this many events are marked in one `markAllDelivered` (DynamoDB's BatchWriteItem takes 25 items). */
export const MARK_BATCH = 25;

/** Events this poll delivered on every channel they had left, to mark delivered together. */
export interface DeliveredWrite<E = unknown> {
  em: string;
  /** At most MARK_BATCH, as `pendingEvents` listed them. */
  events: readonly OutboxEvent<E>[];
  nowMs: number;
  /** How long each event is kept from now (for deduplication of a re-decided event). */
  keepMs: number;
}

export interface DeliveryMark extends EventRef {
  channel: string;
  nowMs: number;
  /** How long the event is kept once no channel is left (for deduplication of a re-decided event). */
  keepMs: number;
}

export interface StateStore {
  /** Takes the lease unless another live holder has it; true when taken (or already held). */
  tryLease(lease: Lease): Promise<boolean>;
  releaseLease(lease: Pick<Lease, 'scope' | 'holder'>): Promise<void>;

  /** Everything known about one EM, in one read: its meta and every subject's state (expired items skipped). */
  load<T, M>(request: { em: string; nowMs: number }): Promise<EmSnapshot<T, M>>;
  /** Writes a subject's state if it is still at `version` (0: new); throws `StateConflictError` otherwise. */
  saveSubject<T>(write: SubjectWrite<T>): Promise<void>;
  /** Writes the meta if it is still at `version`; throws `StateConflictError` otherwise. */
  saveMeta<M>(write: MetaWrite<M>): Promise<void>;

  /** Records an event as pending for its channels unless an event with that id exists; true when recorded now. */
  recordEvent<E>(write: EventWrite<E>): Promise<boolean>;
  /** Events with at least one channel not yet delivered, oldest first (by poll, then `seq`). */
  pendingEvents<E>(request: { em: string }): Promise<OutboxEvent<E>[]>;
  /** The channels each of these events still has to reach, read afresh: by id, none once delivered or gone. */
  pendingChannelsOf(events: EventRefs): Promise<Map<string, string[]>>;
  /** Marks one channel of an event delivered; once none is left, the event expires after `keepMs`. */
  markDelivered(mark: DeliveryMark): Promise<void>;
  /**
   * Marks events delivered on every channel, in one write, each then expiring after `keepMs`. Only for events
   * with no channel left once this poll's publishes are counted: written whole, not conditionally, which is safe
   * because a delivered event is final (channels are only ever removed, and an event id is recorded once).
   */
  markAllDelivered<E>(write: DeliveredWrite<E>): Promise<void>;
}

/** The versioned write whose condition failed: what was written, at which version. */
export interface Conflict {
  em: string;
  /** The subject's key, or null for the EM's meta. */
  key: string | null;
  version: number;
}

/** Another poller changed the state since it was read: this poll must stop without writing more. */
export class StateConflictError extends Error {
  constructor(readonly conflict: Conflict) {
    const item = conflict.key === null ? 'its read state' : `subject ${conflict.key}`;
    super(
      `State changed by another poll while this one ran (${conflict.em}, ${item}); this poll stops, the next one continues.`,
    );
    this.name = 'StateConflictError';
  }
}
