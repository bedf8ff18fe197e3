import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from '../../functions/duration.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import {
  type EventWrite,
  type OutboxEvent,
  StateConflictError,
  type StateStore,
} from '../../functions/state/store.ts';
import { startDynamoDbLocal } from '../support/dynamodb-local.ts';

const NOW = Date.parse('2026-11-25T08:00:00Z');

/** Records an event of em1 at NOW, pending for e-mail, unless the test says otherwise. */
const record = (store: StateStore, write: Pick<EventWrite, 'id'> & Partial<EventWrite>) =>
  store.recordEvent({ em: 'em1', event: {}, channels: ['email'], nowMs: NOW, seq: 0, ...write });

/** The channels one event of em1 still has to reach, read afresh. */
const pendingOf = async (store: StateStore, id: string) =>
  (await store.pendingChannelsOf({ em: 'em1', ids: [id] })).get(id);

// The same suite against dynalite (what the CLI embeds) and DynamoDB Local (AWS's own implementation).
const backends: [string, () => Promise<LocalDynamo>][] = [
  ['dynalite', () => startDynalite()],
  ['DynamoDB Local', () => startDynamoDbLocal()],
];

describe.each(backends)('DynamoStateStore on %s', (_name, start) => {
  let dynamo: LocalDynamo;
  let store: DynamoStateStore;
  let client: DynamoDBClient;
  let table = 0;

  beforeAll(async () => {
    dynamo = await start();
  }, 120_000); // the first run downloads DynamoDB Local from the npm registry
  afterAll(async () => {
    await dynamo.close();
  });

  /** A fresh table per test, so tests do not see each other's items. */
  async function freshStore(): Promise<DynamoStateStore> {
    client = localClient(dynamo.endpoint);
    const name = `state-${++table}`;
    await ensureTable(client, name);
    await ensureTable(client, name); // idempotent
    store = new DynamoStateStore(client, name);
    return store;
  }

  it('starts empty, then round-trips meta and subjects with versions', async () => {
    const s = await freshStore();
    expect(await s.load({ em: 'em1', nowMs: NOW })).toEqual({ meta: null, metaVersion: 0, subjects: [] });
    const meta = {
      cursors: { ReplicaJobSession: '2026-11-25T07:00:00.000Z' },
      running: { ReplicaJobSession: ['u1'] },
    };
    await s.saveMeta({ em: 'em1', meta: meta, version: 0 });
    await s.saveSubject({
      em: 'em1',
      key: 'replica-job#j1',
      state: { open: true, names: ['Büro "Nord"'] },
      version: 0,
      expiresAtMs: NOW + HOUR,
    });
    const loaded = await s.load({ em: 'em1', nowMs: NOW });
    expect(loaded.meta).toEqual(meta);
    expect(loaded.metaVersion).toBe(1);
    expect(loaded.subjects).toEqual([
      { key: 'replica-job#j1', state: { open: true, names: ['Büro "Nord"'] }, version: 1 },
    ]);
    expect((await s.load({ em: 'em2', nowMs: NOW })).subjects).toEqual([]); // EMs are separate partitions
  });

  it('refuses a write from a poll that read an older version', async () => {
    const s = await freshStore();
    await s.saveSubject({ em: 'em1', key: 'k', state: { n: 1 }, version: 0, expiresAtMs: NOW + HOUR });
    await expect(
      s.saveSubject({ em: 'em1', key: 'k', state: { n: 2 }, version: 0, expiresAtMs: NOW + HOUR }),
    ).rejects.toBeInstanceOf(StateConflictError);
    // The error carries the write that lost, for the log and for a caller that retries.
    await expect(
      s.saveSubject({ em: 'em1', key: 'k', state: { n: 2 }, version: 0, expiresAtMs: null }),
    ).rejects.toMatchObject({ conflict: { em: 'em1', key: 'k', version: 0 } });
    await s.saveSubject({ em: 'em1', key: 'k', state: { n: 2 }, version: 1, expiresAtMs: NOW + HOUR });
    await expect(
      s.saveSubject({ em: 'em1', key: 'k', state: { n: 3 }, version: 1, expiresAtMs: NOW + HOUR }),
    ).rejects.toThrow(/another poll/);
    await s.saveMeta({ em: 'em1', meta: { cursors: {}, running: {} }, version: 0 });
    await expect(
      s.saveMeta({ em: 'em1', meta: { cursors: {}, running: {} }, version: 0 }),
    ).rejects.toMatchObject({
      name: 'StateConflictError',
      conflict: { em: 'em1', key: null, version: 0 },
    });
    expect((await s.load({ em: 'em1', nowMs: NOW })).subjects[0]).toMatchObject({
      state: { n: 2 },
      version: 2,
    });
  });

  it('skips expired subjects on read (TTL deletion is lazy)', async () => {
    const s = await freshStore();
    await s.saveSubject({ em: 'em1', key: 'old', state: {}, version: 0, expiresAtMs: NOW - 1000 });
    await s.saveSubject({ em: 'em1', key: 'new', state: {}, version: 0, expiresAtMs: NOW + HOUR });
    expect((await s.load({ em: 'em1', nowMs: NOW })).subjects.map((r) => r.key)).toEqual(['new']);
  });

  it('records each event once and tracks delivery per channel', async () => {
    const s = await freshStore();
    expect(await record(s, { id: 'e2', event: { n: 2 }, channels: ['email', 'sms'], seq: 1 })).toBe(true);
    expect(await record(s, { id: 'e1', event: { n: 1 }, channels: ['sms', 'email'] })).toBe(true);
    expect(await record(s, { id: 'e1', event: { n: 'again' }, nowMs: NOW + 2 })).toBe(false); // a re-decided event
    expect(await s.pendingEvents({ em: 'em1' })).toEqual([
      {
        id: 'e1',
        createdAt: new Date(NOW).toISOString(),
        seq: 0,
        event: { n: 1 },
        pendingChannels: ['email', 'sms'],
      },
      {
        id: 'e2',
        createdAt: new Date(NOW).toISOString(),
        seq: 1, // recorded first, but second in its poll's order
        event: { n: 2 },
        pendingChannels: ['email', 'sms'],
      },
    ]);
    await s.markDelivered({ em: 'em1', id: 'e1', channel: 'email', nowMs: NOW, keepMs: HOUR });
    expect((await s.pendingEvents({ em: 'em1' })).map((e) => [e.id, e.pendingChannels])).toEqual([
      ['e1', ['sms']],
      ['e2', ['email', 'sms']],
    ]);
    expect(await pendingOf(s, 'e1')).toEqual(['sms']); // read afresh before each publish
    await s.markDelivered({ em: 'em1', id: 'e1', channel: 'sms', nowMs: NOW, keepMs: HOUR });
    await s.markDelivered({ em: 'em1', id: 'e1', channel: 'sms', nowMs: NOW, keepMs: HOUR }); // a repeated mark is harmless
    expect(await pendingOf(s, 'e1')).toEqual([]);
    expect(await pendingOf(s, 'unknown')).toEqual([]);
    expect((await s.pendingEvents({ em: 'em1' })).map((e) => e.id)).toEqual(['e2']);
    expect(await record(s, { id: 'e1' })).toBe(false); // delivered events still dedupe
  });

  it('gives a delivered event its expiry in the same write that removes its last channel', async () => {
    const s = await freshStore();
    const TableName = `state-${table}`;
    await record(s, { id: 'e1', channels: ['email', 'sms'] });
    // The event as each write that took effect left it (a failed condition writes nothing): what a crash after
    // that write would leave behind.
    const reader = localClient(dynamo.endpoint);
    const left: { pending?: string[]; expiresAt?: string }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === 'UpdateItemCommand') {
          const { Item } = await reader.send(
            new GetItemCommand({
              TableName,
              Key: { pk: { S: 'EM#em1' }, sk: { S: 'EVENT#e1' } },
              ConsistentRead: true,
            }),
          );
          left.push({
            ...(Item?.pendingChannels ? { pending: Item.pendingChannels.SS } : {}),
            ...(Item?.expiresAt ? { expiresAt: Item.expiresAt.N } : {}),
          });
        }
        return output;
      },
      { step: 'initialize', name: 'leftBehind' },
    );
    await s.markDelivered({ em: 'em1', id: 'e1', channel: 'email', nowMs: NOW, keepMs: HOUR });
    await s.markDelivered({ em: 'em1', id: 'e1', channel: 'sms', nowMs: NOW, keepMs: HOUR });
    expect(left).toEqual([{ pending: ['sms'] }, { expiresAt: String((NOW + HOUR) / 1000) }]);
    await s.markDelivered({ em: 'em1', id: 'e1', channel: 'sms', nowMs: NOW + HOUR, keepMs: HOUR }); // repeated: the expiry moves, as it always did
    expect(left.at(-1)).toEqual({ expiresAt: String((NOW + 2 * HOUR) / 1000) });
    await expect(
      s.markDelivered({ em: 'em1', id: 'unknown', channel: 'sms', nowMs: NOW, keepMs: HOUR }),
    ).rejects.toThrow(/conditional/i);
  });

  it('marks a channel with one request while another is left, the last with two', async () => {
    const s = await freshStore();
    let sent = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') sent++;
        return next(args);
      },
      { step: 'initialize', name: 'countUpdates' },
    );
    const marks = async (channel: string) => {
      sent = 0;
      await s.markDelivered({ em: 'em1', id: 'e1', channel, nowMs: NOW, keepMs: HOUR });
      return sent;
    };
    await record(s, { id: 'e1', channels: ['email', 'sms'] });
    expect(await marks('email')).toBe(1);
    expect(await pendingOf(s, 'e1')).toEqual(['sms']);
    expect(await marks('sms')).toBe(2); // the first form's condition fails: sms was the last
    expect(await s.pendingEvents({ em: 'em1' })).toEqual([]);
  });

  /**
   * Makes DynamoDB leave the last `left` requests of the first batch of `command` larger than that unprocessed, as
   * it does when throttled; returns the size of every batch of that command sent.
   */
  function leaveUnprocessed(
    command: 'BatchGetItemCommand' | 'BatchWriteItemCommand',
    left: number,
  ): number[] {
    const TableName = `state-${table}`;
    const reads = command === 'BatchGetItemCommand';
    const sizes: number[] = [];
    let done = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== command) return next(args);
        const input = args.input as { RequestItems: Record<string, { Keys: unknown[] } | unknown[]> };
        const batch = input.RequestItems[TableName];
        const requests = (reads ? (batch as { Keys: unknown[] }).Keys : batch) as unknown[];
        sizes.push(requests.length);
        if (done || requests.length <= left) return next(args);
        done = true;
        const cut = (part: unknown[]) => (reads ? { ...batch, Keys: part } : part);
        const kept = cut(requests.slice(0, -left));
        const result = await next({ ...args, input: { ...input, RequestItems: { [TableName]: kept } } });
        const output = result.output as unknown as Record<string, unknown>;
        output[reads ? 'UnprocessedKeys' : 'UnprocessedItems'] = { [TableName]: cut(requests.slice(-left)) };
        return result;
      },
      { step: 'initialize', name: 'leaveUnprocessed' },
    );
    return sizes;
  }

  it('reads the pending channels of many events, 100 keys a request, and again what was left unprocessed', async () => {
    const s = await freshStore();
    const ids = Array.from({ length: 130 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    for (const [seq, id] of ids.entries()) await record(s, { id, seq, channels: ['sms', 'email'] });
    await s.markDelivered({ em: 'em1', id: 'e001', channel: 'email', nowMs: NOW, keepMs: HOUR });
    for (const channel of ['email', 'sms'])
      await s.markDelivered({ em: 'em1', id: 'e002', channel, nowMs: NOW, keepMs: HOUR });
    const sizes = leaveUnprocessed('BatchGetItemCommand', 10);
    const found = await s.pendingChannelsOf({ em: 'em1', ids: [...ids, 'unknown'] });
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 31, 10]);
    expect(found.size).toBe(131);
    expect(found.get('e000')).toEqual(['email', 'sms']);
    expect(found.get('e001')).toEqual(['sms']);
    expect(found.get('e002')).toEqual([]); // delivered
    expect(found.get('unknown')).toEqual([]); // gone
    expect(found.get('e095')).toEqual(['email', 'sms']); // left unprocessed at first, read again
    expect([...found.values()].filter((channels) => channels.length === 2)).toHaveLength(128);
    expect(await s.pendingChannelsOf({ em: 'em1', ids: [] })).toEqual(new Map());
  });

  it('marks events delivered on every channel in one write, as they were but for their expiry', async () => {
    const s = await freshStore();
    const TableName = `state-${table}`;
    const item = async (id: string) =>
      (
        await client.send(
          new GetItemCommand({ TableName, Key: { pk: { S: 'EM#em1' }, sk: { S: `EVENT#${id}` } } }),
        )
      ).Item;
    const ids = ['a', 'b', 'c'];
    for (const [seq, id] of ids.entries())
      await record(s, { id, seq, event: { seq, name: 'Büro "Nord"' }, channels: ['email', 'sms'] });
    const before = await Promise.all(ids.map(item));
    const listed = await s.pendingEvents({ em: 'em1' });
    const sizes = leaveUnprocessed('BatchWriteItemCommand', 1);
    await s.markAllDelivered({ em: 'em1', events: listed, nowMs: NOW, keepMs: HOUR });
    expect(sizes).toEqual([3, 1]); // one write, and again the item DynamoDB left
    expect(await s.pendingEvents({ em: 'em1' })).toEqual([]);
    expect(await Promise.all(ids.map(item))).toEqual(
      before.map(({ pendingChannels: _, ...rest } = {}) => ({
        ...rest,
        expiresAt: { N: String((NOW + HOUR) / 1000) },
      })),
    );
    expect(await record(s, { id: 'a' })).toBe(false); // delivered events still dedupe
    await s.markAllDelivered({ em: 'em1', events: [], nowMs: NOW, keepMs: HOUR });
    expect(sizes).toHaveLength(2); // nothing to mark, no request
    const many = Array.from({ length: 26 }, (_, i) => ({ ...(listed[0] as OutboxEvent), id: `x${i}` }));
    await expect(s.markAllDelivered({ em: 'em1', events: many, nowMs: NOW, keepMs: HOUR })).rejects.toThrow(
      RangeError,
    );
  });

  it('gives the lease to one holder at a time until it expires or is released', async () => {
    const s = await freshStore();
    expect(await s.tryLease({ scope: 'poller', holder: 'a', nowMs: NOW, ttlMs: 60_000 })).toBe(true);
    expect(await s.tryLease({ scope: 'poller', holder: 'b', nowMs: NOW + 1000, ttlMs: 60_000 })).toBe(false);
    expect(await s.tryLease({ scope: 'poller', holder: 'a', nowMs: NOW + 1000, ttlMs: 60_000 })).toBe(true); // renewal by its holder
    expect(await s.tryLease({ scope: 'other', holder: 'b', nowMs: NOW, ttlMs: 60_000 })).toBe(true); // scopes are independent
    await s.releaseLease({ scope: 'poller', holder: 'b' }); // not b's to release
    expect(await s.tryLease({ scope: 'poller', holder: 'b', nowMs: NOW + 2000, ttlMs: 60_000 })).toBe(false);
    expect(await s.tryLease({ scope: 'poller', holder: 'b', nowMs: NOW + 120_000, ttlMs: 60_000 })).toBe(
      true,
    ); // a's lease expired: holder died
    await s.releaseLease({ scope: 'poller', holder: 'b' });
    expect(await s.tryLease({ scope: 'poller', holder: 'a', nowMs: NOW + 121_000, ttlMs: 60_000 })).toBe(
      true,
    );
  });

  it('reads partitions larger than one DynamoDB page', async () => {
    const s = await freshStore();
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 70; i++)
      await s.saveSubject({ em: 'em1', key: `k${i}`, state: { big }, version: 0, expiresAtMs: NOW + HOUR }); // ~1.4 MB > 1 MB page
    expect((await s.load({ em: 'em1', nowMs: NOW })).subjects).toHaveLength(70);
  });
});
