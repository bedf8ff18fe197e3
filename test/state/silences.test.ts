// The silence store on dynalite with the real SDK client: what it writes, what it reads back, what it refuses.

import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Silence } from '../../functions/alerts/silence.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import { DynamoSilenceStore, SILENCE_PARTITION } from '../../functions/state/silences.ts';
import { suiteDynalite } from '../support/dynalite.ts';

const silence = (id: string, extra: Partial<Silence> = {}): Silence => ({
  id,
  job: 'SQL*',
  server: null,
  em: null,
  from: '2026-12-07T10:00:00.000Z',
  until: '2026-12-07T14:00:00.000Z',
  untilResolved: false,
  reason: 'datastore swap',
  by: 'alice',
  ...extra,
});

describe('DynamoSilenceStore', () => {
  const dynamo = suiteDynalite();
  let table = 0;
  const fresh = async () => {
    const client = localClient(dynamo.endpoint);
    const name = `silences-${++table}`;
    await ensureTable(client, name);
    return { client, name, store: new DynamoSilenceStore(client, name) };
  };

  it('adds, lists (oldest first) and removes; an id taken or unknown says so', async () => {
    const { store } = await fresh();
    expect(await store.add(silence('bbbb', { from: '2026-12-07T11:00:00.000Z' }))).toBe(true);
    expect(await store.add(silence('aaaa'))).toBe(true);
    expect(await store.add(silence('aaaa', { reason: 'other' }))).toBe(false);
    expect((await store.list()).silences.map((s) => s.id)).toEqual(['aaaa', 'bbbb']);
    expect(await store.remove('aaaa')).toBe(true);
    expect(await store.remove('aaaa')).toBe(false);
    expect(await store.list()).toEqual({
      silences: [silence('bbbb', { from: '2026-12-07T11:00:00.000Z' })],
      skipped: [],
    });
  });

  it('writes one item in its own partition, expiring a day after the silence ends', async () => {
    const { client, name, store } = await fresh();
    await store.add(silence('cccc'));
    const { Item } = await client.send(
      new GetItemCommand({ TableName: name, Key: { pk: { S: SILENCE_PARTITION }, sk: { S: 'cccc' } } }),
    );
    expect(Item?.expiresAt?.N).toBe(String(Date.parse('2026-12-08T14:00:00Z') / 1000));
    expect(JSON.parse(Item?.data?.S ?? '')).toEqual(silence('cccc'));
  });

  it('skips a stored item that is not a silence (edited by hand), naming it, and normalises times to UTC', async () => {
    const { client, name, store } = await fresh();
    const put = (sk: string, data: string) =>
      client.send(
        new PutItemCommand({
          TableName: name,
          Item: { pk: { S: SILENCE_PARTITION }, sk: { S: sk }, data: { S: data } },
        }),
      );
    await put('broken', '{"id": "broken", "job": 1}');
    await put('nojson', 'not json');
    await put('offset', JSON.stringify({ ...silence('offset'), until: '2026-12-07T15:00:00+01:00' }));
    const { silences, skipped } = await store.list();
    expect(skipped.sort()).toEqual(['broken', 'nojson']);
    expect(silences.map((s) => [s.id, s.until])).toEqual([['offset', '2026-12-07T14:00:00.000Z']]);
  });

  it('lists every subject of every EM, for what a silence matches', async () => {
    const { client, name, store } = await fresh();
    const state = new DynamoStateStore(client, name);
    for (const em of ['em-a', 'em-b']) {
      const key = `${em}|replica-job|urn:1`;
      const subject = { kind: 'replica-job', key, em, uid: 'urn:1', name: `Job on ${em}` };
      await state.saveSubject({ em, key, state: subject, version: 0, expiresAtMs: null });
      await state.saveMeta({ em, meta: { cursor: 1 }, version: 0 });
    }
    await store.add(silence('dddd'));
    expect((await store.subjects()).map((s) => s.name).sort()).toEqual(['Job on em-a', 'Job on em-b']);
  });
});
