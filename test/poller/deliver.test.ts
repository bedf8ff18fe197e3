// Delivery's outcomes that the scripted day never meets: an event still pending for a channel the deployment no
// longer has is dropped (marked delivered, never published), while its configured channels are published; and a
// storm, grouped on the people channels, against dynalite.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AlertEvent, DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import type { Publication } from '../../functions/notify/notifier.ts';
import { deliver } from '../../functions/poller/deliver.ts';
import { pollEm } from '../../functions/poller/poll.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import { suiteDynalite } from '../support/dynalite.ts';
import { jobFailure, jobResolved, jobWarning } from '../support/messages-data.ts';

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

describe('a storm, grouped on the people channels', () => {
  const CHANNELS = ['chat', 'email', 'events', 'sms'] as const;
  /** Six failed jobs, two with warnings, one resolved: two groups and a single. */
  const storm = (): AlertEvent[] => [
    ...Array.from({ length: 6 }, (_, i) => renamed(jobFailure(), `Job F${i}`)),
    ...Array.from({ length: 2 }, (_, i) => renamed(jobWarning(), `Job W${i}`)),
    jobResolved(),
  ];

  async function setup(events: AlertEvent[], fail: (p: Publication) => boolean = () => false) {
    const client = localClient(dynamo.endpoint);
    const table = `storm-${Math.random().toString(36).slice(2)}`;
    await ensureTable(client, table);
    const store = new DynamoStateStore(client, table);
    const nowMs = Date.parse('2026-11-25T08:00:00Z');
    for (const [seq, event] of events.entries())
      await store.recordEvent({ em: 'em1', id: event.id, event, channels: [...CHANNELS], nowMs, seq });
    const published: Publication[] = [];
    const notifier = {
      channels: CHANNELS,
      publish: async (p: Publication) => {
        if (fail(p)) throw new Error('SNS refused');
        published.push(p);
      },
    };
    const run = (groupAbove: number) =>
      deliver({
        em: 'em1',
        store,
        notifier,
        now: () => new Date(nowMs),
        log: { warn: () => {}, error: () => {} },
        settings: { timeZone: 'UTC', groupAbove },
        stop: () => false,
      });
    return { store, published, run, close: () => client.destroy() };
  }

  it('sends one message per kind and severity on e-mail, SMS and chat, and every event alone with its group', async () => {
    const events = storm();
    const { store, published, run, close } = await setup(events);
    expect(await run(5)).toEqual({ published: 3 * 3 + events.length, publishFailures: 0, pending: 0 });
    for (const channel of ['email', 'sms', 'chat'] as const)
      expect(published.filter((p) => p.channel === channel)).toHaveLength(3);
    const email = published.filter((p) => p.channel === 'email').map((p) => p.message);
    for (const event of events) expect(email.join('\n')).toContain(event.subject.name);
    const sent = published.filter((p) => p.channel === 'events').map((p) => JSON.parse(p.message));
    expect(sent.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    const groups = new Set(sent.map((e) => e.group));
    expect(groups.size).toBe(3); // two groups, and no group on the resolved event
    expect(sent.find((e) => e.event === 'resolved')?.group).toBeUndefined();
    expect(await store.pendingEvents({ em: 'em1' })).toEqual([]);
    close();
  });

  it('sends each event alone at or below groupAbove, and with 0', async () => {
    const count = storm().length;
    for (const groupAbove of [count, 0]) {
      const { published, run, close } = await setup(storm());
      expect(await run(groupAbove)).toMatchObject({ published: 4 * count, pending: 0 });
      const sent = published.filter((p) => p.channel === 'events').map((p) => JSON.parse(p.message));
      expect(sent.filter((event) => 'group' in event)).toEqual([]);
      close();
    }
  });

  it('retries a group whose message failed at the next poll, once, and never re-sends the other channels', async () => {
    let refuse = true;
    const { store, published, run, close } = await setup(storm(), (p) => refuse && p.channel === 'email');
    expect(await run(5)).toMatchObject({ publishFailures: 1, pending: 9 });
    expect(published.filter((p) => p.channel === 'email')).toEqual([]);
    const before = published.length;
    refuse = false;
    expect(await run(5)).toEqual({ published: 3, publishFailures: 0, pending: 0 });
    expect(published.slice(before).map((p) => p.channel)).toEqual(['email', 'email', 'email']);
    expect(await store.pendingEvents({ em: 'em1' })).toEqual([]);
    close();
  });
});

function renamed(event: AlertEvent, name: string): AlertEvent {
  return {
    ...event,
    id: `${event.id.slice(0, 24)}${createHash('sha256').update(name).digest('hex').slice(0, 8)}`,
    subject: { ...event.subject, uid: `urn:veeam:Job:${name}`, name },
  };
}
