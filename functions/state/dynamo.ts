// The state store on DynamoDB: one table, partition key `pk`, sort key `sk`, TTL attribute `expiresAt` (epoch
// seconds). Writes are single-item and conditional, but for the batched mark of events delivered on every channel
// (an unconditional put of a final state); no transactions, so dynalite, DynamoDB Local and DynamoDB behave alike.
// The order of a poll's writes, and why a stop between any two loses nothing: docs/state.md.
//
//   pk = EM#<em>      sk = META               cursors and running sessions (JSON), version
//   pk = EM#<em>      sk = SUBJECT#<key>      one subject's alert state (JSON), version, expiresAt
//   pk = EM#<em>      sk = EVENT#<id>         an event to deliver (JSON), pendingChannels (string set), expiresAt
//   pk = LEASE#<name> sk = LEASE              the poll lease: holder, expiresAt

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { forEachLimit } from '../parallel.ts';
import {
  type Conflict,
  type DeliveredWrite,
  type DeliveryMark,
  type EmSnapshot,
  type EventRef,
  type EventRefs,
  type EventWrite,
  type Lease,
  MARK_BATCH,
  type MetaWrite,
  type OutboxEvent,
  StateConflictError,
  type StateStore,
  type SubjectWrite,
} from './store.ts';

type Item = Record<string, AttributeValue>;

/** The key prefixes of the table's items (see the layout above). */
export const KEY = {
  em: 'EM#',
  meta: 'META',
  subject: 'SUBJECT#',
  event: 'EVENT#',
  lease: 'LEASE#',
  leaseSort: 'LEASE',
} as const;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const seconds = (ms: number) => Math.ceil(ms / 1000);
const emKey = (em: string) => S(KEY.em + em);
const eventKey = ({ em, id }: EventRef): Item => ({ pk: emKey(em), sk: S(KEY.event + id) });
const leaseKey = (scope: string): Item => ({ pk: S(KEY.lease + scope), sk: S(KEY.leaseSort) });
const after = (prefix: string, sk: string) => sk.slice(prefix.length);
/** An event's item but for its delivery state: what `recordEvent` writes, and `markAllDelivered` writes again. */
const eventItem = (
  em: string,
  { id, event, createdAt, seq }: Omit<OutboxEvent, 'pendingChannels'>,
): Item => ({
  ...eventKey({ em, id }),
  data: S(JSON.stringify(event)),
  createdAt: S(createdAt),
  seq: N(seq),
});
/** BatchGetItem takes at most 100 keys. */
const GET_BATCH = 100;
/** Tries of a batch request while DynamoDB leaves some of it unprocessed (throttled), with backoff between them. */
const BATCH_TRIES = 8;
const chunked = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async tryLease({ scope, holder, nowMs, ttlMs }: Lease): Promise<boolean> {
    return this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: { ...leaseKey(scope), holder: S(holder), expiresAt: N(seconds(nowMs + ttlMs)) },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :holder',
        ExpressionAttributeValues: { ':now': N(seconds(nowMs)), ':holder': S(holder) },
      }),
    );
  }

  async releaseLease({ scope, holder }: Pick<Lease, 'scope' | 'holder'>): Promise<void> {
    await this.conditional(
      new DeleteItemCommand({
        TableName: this.table,
        Key: leaseKey(scope),
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': S(holder) },
      }),
    ); // a lease taken over after it expired is not ours to delete
  }

  async load<T, M>({ em, nowMs }: { em: string; nowMs: number }): Promise<EmSnapshot<T, M>> {
    const snapshot: EmSnapshot<T, M> = { meta: null, metaVersion: 0, subjects: [] };
    // META and SUBJECT# sort after EVENT#: delivered events kept for deduplication are not read on every poll.
    for await (const item of this.query(em, 'sk >= :sk', KEY.meta)) {
      const expiresAt = Number(item.expiresAt?.N ?? Number.POSITIVE_INFINITY);
      if (expiresAt * 1000 <= nowMs) continue; // TTL deletion is lazy: expired items may still be read
      const sk = item.sk?.S ?? '';
      const version = Number(item.version?.N ?? 0);
      if (sk === KEY.meta) {
        snapshot.meta = JSON.parse(item.data?.S ?? 'null') as M | null;
        snapshot.metaVersion = version;
      } else if (sk.startsWith(KEY.subject)) {
        const state = JSON.parse(item.data?.S ?? 'null') as T;
        snapshot.subjects.push({ key: after(KEY.subject, sk), state, version });
      }
    }
    return snapshot;
  }

  async saveSubject<T>({ em, key, state, version, expiresAtMs }: SubjectWrite<T>): Promise<void> {
    const ttl: Item = expiresAtMs === null ? {} : { expiresAt: N(seconds(expiresAtMs)) };
    const item = { pk: emKey(em), sk: S(KEY.subject + key), data: S(JSON.stringify(state)), ...ttl };
    await this.versioned(item, { em, key, version });
  }

  async saveMeta<M>({ em, meta, version }: MetaWrite<M>): Promise<void> {
    const item = { pk: emKey(em), sk: S(KEY.meta), data: S(JSON.stringify(meta)) };
    await this.versioned(item, { em, key: null, version });
  }

  /** Puts `item` with the next version if the stored one is still at `conflict.version`. */
  private async versioned(item: Item, conflict: Conflict): Promise<void> {
    const { version } = conflict;
    const ok = await this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: { ...item, version: N(version + 1) },
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': N(version) } }),
      }),
    );
    if (!ok) throw new StateConflictError(conflict);
  }

  async recordEvent<E>({ em, id, event, channels, nowMs, seq }: EventWrite<E>): Promise<boolean> {
    return this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...eventItem(em, { id, event, createdAt: new Date(nowMs).toISOString(), seq }),
          ...(channels.length ? { pendingChannels: { SS: [...channels] } } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async pendingEvents<E>({ em }: { em: string }): Promise<OutboxEvent<E>[]> {
    const events: OutboxEvent<E>[] = [];
    for await (const item of this.query(
      em,
      'begins_with(sk, :sk)',
      KEY.event,
      'attribute_exists(pendingChannels)',
    )) {
      const pending = item.pendingChannels?.SS;
      if (!pending?.length) continue;
      events.push({
        id: after(KEY.event, item.sk?.S ?? ''),
        createdAt: item.createdAt?.S ?? '',
        seq: Number(item.seq?.N ?? 0),
        event: JSON.parse(item.data?.S ?? 'null') as E,
        pendingChannels: [...pending].sort(),
      });
    }
    return events.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.seq - b.seq);
  }

  /** BatchGetItem, 100 keys a request, several in flight together. */
  async pendingChannelsOf({ em, ids }: EventRefs): Promise<Map<string, string[]>> {
    const found = new Map(ids.map((id): [string, string[]] => [id, []]));
    const read = async (keys: Item[]) => {
      const { Responses, UnprocessedKeys } = await this.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.table]: { Keys: keys, ProjectionExpression: 'sk, pendingChannels', ConsistentRead: true },
          },
        }),
      );
      for (const item of Responses?.[this.table] ?? [])
        found.set(after(KEY.event, item.sk?.S ?? ''), [...(item.pendingChannels?.SS ?? [])].sort());
      return UnprocessedKeys?.[this.table]?.Keys;
    };
    const keys = ids.map((id) => eventKey({ em, id }));
    await forEachLimit(chunked(keys, GET_BATCH), (chunk) => this.untilProcessed(chunk, read));
    return found;
  }

  /** One BatchWriteItem of whole items (it takes no conditions), and again for any it left unprocessed. */
  async markAllDelivered<E>({ em, events, nowMs, keepMs }: DeliveredWrite<E>): Promise<void> {
    if (events.length > MARK_BATCH) throw new RangeError(`At most ${MARK_BATCH} events are marked at once.`);
    if (!events.length) return;
    const expiresAt = N(seconds(nowMs + keepMs));
    const puts = events.map(
      (event): WriteRequest => ({ PutRequest: { Item: { ...eventItem(em, event), expiresAt } } }),
    );
    await this.untilProcessed(puts, async (requests) => {
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.table]: requests } }),
      );
      return UnprocessedItems?.[this.table];
    });
  }

  /** Sends a batch, then what DynamoDB left unprocessed (throttled), backing off between tries as it advises. */
  private async untilProcessed<T>(batch: T[], send: (batch: T[]) => Promise<T[] | undefined>): Promise<void> {
    let left: T[] | undefined = batch;
    for (let tries = 0; left?.length; tries++) {
      if (tries === BATCH_TRIES)
        throw new Error(`DynamoDB left ${left.length} requests of a batch unprocessed.`);
      if (tries) await sleep(25 * 2 ** tries);
      left = await send(left);
    }
  }

  /**
   * One write takes effect per call, and it is a whole transition: a channel removed with others left, or the last
   * one removed together with the expiry. (An update cannot set the expiry depending on what its own DELETE left,
   * so each form goes under a condition: the first fails when this channel is the last, then the second is sent.)
   * A crash can thus never leave a delivered event without its expiry. Deliveries mark a channel alone only when
   * another is left (`markAllDelivered` takes the rest), so the first form is the one that takes effect.
   */
  async markDelivered({ em, id, channel, nowMs, keepMs }: DeliveryMark): Promise<void> {
    const Key = eventKey({ em, id });
    const others = await this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'DELETE pendingChannels :channels',
        // Still pending afterwards: more than this channel, or not this one (then the DELETE changes nothing).
        ConditionExpression:
          'attribute_exists(pendingChannels) AND (size(pendingChannels) > :one OR NOT contains(pendingChannels, :channel))',
        ExpressionAttributeValues: { ':channels': { SS: [channel] }, ':channel': S(channel), ':one': N(1) },
      }),
    );
    if (others) return;
    // Only this channel was left, or none (a repeated mark); removing the set takes the event out of
    // `pendingEvents`. An unknown event fails as before.
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'REMOVE pendingChannels SET expiresAt = :expiresAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':expiresAt': N(seconds(nowMs + keepMs)) },
      }),
    );
  }

  /** Every item of an EM's partition whose sort key matches `sk` (a key condition on `:sk`), page after page. */
  private async *query(em: string, sk: string, value: string, filter?: string): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: `pk = :pk AND ${sk}`,
          ExpressionAttributeValues: { ':pk': emKey(em), ':sk': S(value) },
          ...(filter ? { FilterExpression: filter } : {}),
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      yield* page.Items ?? [];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  private conditional(command: PutItemCommand | DeleteItemCommand | UpdateItemCommand): Promise<boolean> {
    return sendConditional(this.client, command);
  }
}

/** Sends a conditional write; false when its condition failed. */
export async function sendConditional(
  client: DynamoDBClient,
  command: PutItemCommand | DeleteItemCommand | UpdateItemCommand,
): Promise<boolean> {
  try {
    await client.send(command as PutItemCommand);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
