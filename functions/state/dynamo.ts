// The state store on DynamoDB: one table, partition key `pk`, sort key `sk`, TTL attribute `expiresAt` (epoch
// seconds). Only single-item conditional writes are used (no transactions), so dynalite, DynamoDB Local and
// DynamoDB behave alike; the poller orders its writes so that a crash between any two leaves recoverable state.
//
//   pk = EM#<em>      sk = META               cursors and running sessions (JSON), version
//   pk = EM#<em>      sk = SUBJECT#<key>      one subject's alert state (JSON), version, expiresAt
//   pk = EM#<em>      sk = EVENT#<id>         an event to deliver (JSON), pendingChannels (string set), expiresAt
//   pk = LEASE#<name> sk = LEASE              the poll lease: holder, expiresAt

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type EmMeta,
  type EmSnapshot,
  type OutboxEvent,
  StateConflictError,
  type StateStore,
} from './store.ts';

type Item = Record<string, AttributeValue>;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const seconds = (ms: number) => Math.ceil(ms / 1000);
const emKey = (em: string) => S(`EM#${em}`);

export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async tryLease(scope: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean> {
    return this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: S(`LEASE#${scope}`),
          sk: S('LEASE'),
          holder: S(holder),
          expiresAt: N(seconds(nowMs + ttlMs)),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :holder',
        ExpressionAttributeValues: { ':now': N(seconds(nowMs)), ':holder': S(holder) },
      }),
    );
  }

  async releaseLease(scope: string, holder: string): Promise<void> {
    await this.conditional(
      new DeleteItemCommand({
        TableName: this.table,
        Key: { pk: S(`LEASE#${scope}`), sk: S('LEASE') },
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': S(holder) },
      }),
    ); // a lease taken over after it expired is not ours to delete
  }

  async load<T>(em: string, nowMs: number): Promise<EmSnapshot<T>> {
    const snapshot: EmSnapshot<T> = { meta: null, metaVersion: 0, subjects: [] };
    // META and SUBJECT# sort after EVENT#: delivered events kept for deduplication are not read on every poll.
    for await (const item of this.query(em, 'sk >= :sk', 'META')) {
      const expiresAt = Number(item.expiresAt?.N ?? Number.POSITIVE_INFINITY);
      if (expiresAt * 1000 <= nowMs) continue; // TTL deletion is lazy: expired items may still be read
      const sk = item.sk?.S ?? '';
      const version = Number(item.version?.N ?? 0);
      if (sk === 'META') {
        snapshot.meta = JSON.parse(item.data?.S ?? '{}') as EmMeta;
        snapshot.metaVersion = version;
      } else if (sk.startsWith('SUBJECT#')) {
        snapshot.subjects.push({ key: sk.slice(8), state: JSON.parse(item.data?.S ?? 'null') as T, version });
      }
    }
    return snapshot;
  }

  async saveSubject<T>(
    em: string,
    key: string,
    state: T,
    version: number,
    expiresAtMs: number | null,
  ): Promise<void> {
    const ttl: Item = expiresAtMs === null ? {} : { expiresAt: N(seconds(expiresAtMs)) };
    await this.versioned(em, `SUBJECT#${key}`, JSON.stringify(state), version, ttl);
  }

  async saveMeta(em: string, meta: EmMeta, version: number): Promise<void> {
    await this.versioned(em, 'META', JSON.stringify(meta), version, {});
  }

  private async versioned(em: string, sk: string, data: string, version: number, extra: Item): Promise<void> {
    const ok = await this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: { pk: emKey(em), sk: S(sk), data: S(data), version: N(version + 1), ...extra },
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': N(version) } }),
      }),
    );
    if (!ok) throw new StateConflictError(`${em} ${sk}`);
  }

  async recordEvent<E>(
    em: string,
    id: string,
    event: E,
    channels: string[],
    nowMs: number,
    seq: number,
  ): Promise<boolean> {
    return this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: emKey(em),
          sk: S(`EVENT#${id}`),
          data: S(JSON.stringify(event)),
          createdAt: S(new Date(nowMs).toISOString()),
          seq: N(seq),
          ...(channels.length ? { pendingChannels: { SS: channels } } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async pendingEvents<E>(em: string): Promise<OutboxEvent<E>[]> {
    const events: OutboxEvent<E>[] = [];
    for await (const item of this.query(
      em,
      'begins_with(sk, :sk)',
      'EVENT#',
      'attribute_exists(pendingChannels)',
    )) {
      const pending = item.pendingChannels?.SS;
      if (!pending?.length) continue;
      events.push({
        id: (item.sk?.S ?? '').slice(6),
        createdAt: item.createdAt?.S ?? '',
        seq: Number(item.seq?.N ?? 0),
        event: JSON.parse(item.data?.S ?? 'null') as E,
        pendingChannels: [...pending].sort(),
      });
    }
    return events.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.seq - b.seq);
  }

  async pendingChannels(em: string, id: string): Promise<string[]> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: emKey(em), sk: S(`EVENT#${id}`) },
        ProjectionExpression: 'pendingChannels',
        ConsistentRead: true,
      }),
    );
    return [...(Item?.pendingChannels?.SS ?? [])];
  }

  /**
   * One write takes effect per call, and it is a whole transition: a channel removed with others left, or the last
   * one removed together with the expiry. (An update cannot set the expiry depending on what its own DELETE left,
   * so each form goes under a condition.) `lastPending`, from the read just before the publish, picks the form
   * to try first; a stale guess costs one failed condition, never a wrong write. A crash can thus never leave a
   * delivered event without its expiry.
   */
  async markDelivered(
    em: string,
    id: string,
    channel: string,
    nowMs: number,
    keepMs: number,
    lastPending = false,
  ): Promise<void> {
    const Key = { pk: emKey(em), sk: S(`EVENT#${id}`) };
    // Removing the set is what takes the event out of `pendingEvents`; channels are only ever removed.
    const removeLast = (condition: string, values: Item = {}) =>
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'REMOVE pendingChannels SET expiresAt = :expiresAt',
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':expiresAt': N(seconds(nowMs + keepMs)), ...values },
      });
    const channelValues = { ':channel': S(channel), ':one': N(1) };
    if (lastPending) {
      const onlyThis =
        'attribute_exists(pk) AND (attribute_not_exists(pendingChannels) OR (size(pendingChannels) = :one AND contains(pendingChannels, :channel)))';
      if (await this.conditional(removeLast(onlyThis, channelValues))) return;
    }
    const others = await this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'DELETE pendingChannels :channels',
        // Still pending afterwards: more than this channel, or not this one (then the DELETE changes nothing).
        ConditionExpression:
          'attribute_exists(pendingChannels) AND (size(pendingChannels) > :one OR NOT contains(pendingChannels, :channel))',
        ExpressionAttributeValues: { ':channels': { SS: [channel] }, ...channelValues },
      }),
    );
    if (others) return;
    // Only this channel was left, or none (a repeated mark). An unknown event fails as before.
    await this.client.send(removeLast('attribute_exists(pk)'));
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

  /** Sends a conditional write; false when its condition failed. */
  private async conditional(
    command: PutItemCommand | DeleteItemCommand | UpdateItemCommand,
  ): Promise<boolean> {
    try {
      await this.client.send(command as PutItemCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
