// What the poller remembers between polls, behind a small interface so the Lambda (DynamoDB), the CLI (embedded
// dynalite on disk) and the tests share one implementation contract. State values are opaque JSON-able data owned
// by the alert engine; the store only adds versions (optimistic concurrency), TTLs and the delivery outbox.

/** One subject's alert state (a replica job, a CDP policy, an EM), with the version it was read at. */
export interface SubjectRecord<T = unknown> {
  key: string;
  state: T;
  version: number;
}

/** Per-EM bookkeeping of the reader (its `ReadState`: cursors, running sessions), opaque JSON to the store. */
export type EmMeta = object;

export interface EmSnapshot<T = unknown> {
  meta: EmMeta | null;
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

export interface StateStore {
  /** Takes the poll lease for `scope` unless another live holder has it; true when taken (or already held). */
  tryLease(scope: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean>;
  releaseLease(scope: string, holder: string): Promise<void>;

  /** Everything known about one EM, in one read: its meta and every subject's state (expired items skipped). */
  load<T>(em: string, nowMs: number): Promise<EmSnapshot<T>>;
  /**
   * Writes a subject's state if it is still at `version` (0: new); throws `StateConflictError` otherwise.
   * `expiresAtMs` null keeps the item until it is written again with an expiry.
   */
  saveSubject<T>(
    em: string,
    key: string,
    state: T,
    version: number,
    expiresAtMs: number | null,
  ): Promise<void>;
  saveMeta(em: string, meta: EmMeta, version: number): Promise<void>;

  /**
   * Records an event as pending for `channels` unless an event with that id exists; true when recorded now.
   * `seq` orders the events of one poll (they share `nowMs`) for delivery.
   */
  recordEvent<E>(
    em: string,
    id: string,
    event: E,
    channels: string[],
    nowMs: number,
    seq: number,
  ): Promise<boolean>;
  /** Events with at least one channel not yet delivered, oldest first (by poll, then `seq`). */
  pendingEvents<E>(em: string): Promise<OutboxEvent<E>[]>;
  /** The channels one event still has to reach, read afresh (none once delivered, or if it is gone). */
  pendingChannels(em: string, id: string): Promise<string[]>;
  /**
   * Marks one channel of an event delivered; once none is left, the event expires after `keepMs`. `lastPending`
   * says it was the only channel left when last read (a hint that saves a write; correct whatever it says).
   */
  markDelivered(
    em: string,
    id: string,
    channel: string,
    nowMs: number,
    keepMs: number,
    lastPending?: boolean,
  ): Promise<void>;
}

/** Another poller changed the state since it was read: this poll must stop without writing more. */
export class StateConflictError extends Error {
  constructor(what: string) {
    super(
      `State changed by another poll while this one ran (${what}); this poll stops, the next one continues.`,
    );
    this.name = 'StateConflictError';
  }
}
