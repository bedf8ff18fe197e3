// Delivery's outcomes that the scripted day never meets: an event still pending for a channel the deployment no
// longer has is dropped (marked delivered, never published), while its configured channels are published.
import { expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import type { Publication } from '../../functions/notify/notifier.ts';
import { pollEm } from '../../functions/poller/poll.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import { suiteDynalite } from '../support/dynalite.ts';
import { jobFailure } from '../support/messages-data.ts';

const dynamo = suiteDynalite();

it('drops a channel no longer configured, publishes the configured ones, and leaves nothing pending', async () => {
  const client = localClient(dynamo.endpoint);
  await ensureTable(client, 'state');
  const store = new DynamoStateStore(client, 'state');
  const event = jobFailure();
  const nowMs = Date.parse('2026-11-25T08:00:00Z');
  await store.recordEvent({ em: 'em1', id: event.id, event, channels: ['email', 'pager'], nowMs, seq: 0 });
  const published: Publication[] = [];
  const warnings: string[] = [];
  const summary = await pollEm(
    { name: 'em1', url: 'https://127.0.0.1:1/api/' }, // unreachable: delivery runs after a failed read too
    {
      store,
      notifier: { channels: ['email'], publish: async (p) => void published.push(p) },
      credentials: async () => ({ username: 'u', password: 'p' }),
      now: () => new Date(nowMs),
      log: { info: () => {}, warn: (m) => warnings.push(m), error: () => {} },
    },
    { settings: DEFAULT_SETTINGS, em: { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } } },
  );
  expect(summary).toMatchObject({ status: 'em-failed', published: 1, publishFailures: 0, pending: 0 });
  expect(published.map((p) => p.channel)).toEqual(['email']);
  expect(warnings).toContain('An event was pending for a channel that is no longer configured; dropped.');
  expect(await store.pendingEvents({ em: 'em1' })).toEqual([]);
  client.destroy();
});
