// Delivery's outcomes that the scripted day never meets: an event still pending for a channel the deployment no
// longer has is dropped (marked delivered, never published), while its configured channels are published; and a
// storm, grouped on the people channels, against dynalite: in order per subject with publishes in flight together,
// in slices (a read, the publishes, a write), through SNS with PublishBatch on the events channel and its refusals.
import { createHash } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import {
  PublishBatchCommand,
  type PublishBatchCommandInput,
  type PublishBatchRequestEntry,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type AlertEvent, DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import { type Notifier, type Publication, SnsNotifier } from '../../functions/notify/notifier.ts';
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
    return setupWith(events, {
      channels: CHANNELS,
      publish: async (p: Publication) => {
        if (fail(p)) throw new Error('SNS refused');
        published.push(p);
      },
    });
  }
  let published: Publication[] = [];

  /** The events recorded pending on every channel of a fresh table, and a delivery through `notifier`. */
  async function setupWith(events: AlertEvent[], notifier: Notifier) {
    published = [];
    const client = localClient(dynamo.endpoint);
    const table = `storm-${Math.random().toString(36).slice(2)}`;
    await ensureTable(client, table);
    const store = new DynamoStateStore(client, table);
    const nowMs = Date.parse('2026-11-25T08:00:00Z');
    for (const [seq, event] of events.entries())
      await store.recordEvent({ em: 'em1', id: event.id, event, channels: [...CHANNELS], nowMs, seq });
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
    return { client, store, published, run, close: () => client.destroy() };
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
    // Both groups' e-mails were in flight together when the first refusal came back.
    expect(await run(5)).toMatchObject({ publishFailures: 2, pending: 9 });
    expect(published.filter((p) => p.channel === 'email')).toEqual([]);
    const before = published.length;
    refuse = false;
    expect(await run(5)).toEqual({ published: 3, publishFailures: 0, pending: 0 });
    expect(published.slice(before).map((p) => p.channel)).toEqual(['email', 'email', 'email']);
    expect(await store.pendingEvents({ em: 'em1' })).toEqual([]);
    close();
  });

  it('keeps the order decided for the events of one subject on every channel, other subjects in parallel', async () => {
    // Six jobs fail, and two of them are resolved later in the same listing: a storm in two rounds.
    const failures = Array.from({ length: 6 }, (_, i) => renamed(jobFailure(), `Job F${i}`));
    const resolved = [0, 1].map((i) => renamed(jobResolved(), `Job F${i}`));
    const calls: { channel: string; event: unknown; jobs: string[]; started: number; ended: number }[] = [];
    let clock = 0;
    let inFlight = 0;
    let most = 0;
    const notifier: Notifier = {
      channels: CHANNELS,
      publish: async (p) => {
        const call = { channel: p.channel, event: p.attributes.event, jobs: [p.attributes.job ?? []].flat() };
        const started = clock++;
        most = Math.max(most, ++inFlight);
        await setTimeout(Math.random() * 20); // answers come back in any order
        inFlight--;
        calls.push({ ...call, started, ended: clock++ });
      },
    };
    const { run, close } = await setupWith([...failures, ...resolved], notifier);
    expect(await run(5)).toEqual({ published: 3 * 2 + 8, publishFailures: 0, pending: 0 });
    for (const channel of CHANNELS) {
      for (const job of ['Job F0', 'Job F1']) {
        const of = (kind: string) =>
          calls.filter((c) => c.channel === channel && c.event === kind && c.jobs.includes(job));
        const [failure, ...more] = of('failure');
        const [repaired] = of('resolved');
        expect(more).toEqual([]);
        expect(failure && repaired && failure.ended < repaired.started, `${job} on ${channel}`).toBe(true);
      }
    }
    expect(most).toBeGreaterThan(4); // the channels, and the events of different jobs, in flight together
    close();
  });

  describe('through SNS (PublishBatch on the events channel)', () => {
    const topics = Object.fromEntries(CHANNELS.map((c) => [c, `arn:aws:sns:eu-west-1:123456789012:ra-${c}`]));
    const failures = (n: number) =>
      Array.from({ length: n }, (_, i) => renamed(jobFailure(), `Job ${String(i).padStart(2, '0')}`));

    /** SNS refusing the entries of each PublishBatch that `refuse` picks; the DynamoDB commands sent, by name. */
    async function throughSns(
      events: AlertEvent[],
      refuse: (entries: PublishBatchRequestEntry[], call: number) => PublishBatchRequestEntry[],
    ) {
      const sns = mockClient(SNSClient);
      sns.on(PublishCommand).resolves({ MessageId: 'm' });
      let call = 0;
      sns
        .on(PublishBatchCommand)
        .callsFake(({ PublishBatchRequestEntries: entries = [] }: PublishBatchCommandInput) => {
          const refused = refuse(entries, call++);
          return {
            Successful: entries
              .filter((e) => !refused.includes(e))
              .map((e) => ({ Id: e.Id, MessageId: 'm' })),
            Failed: refused.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
          };
        });
      const setup = await setupWith(events, new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), topics));
      const commands: Record<string, number> = {};
      setup.client.middlewareStack.add(
        (next, context) => async (args) => {
          const name = (context.commandName ?? '?').replace(/Command$/, '');
          commands[name] = (commands[name] ?? 0) + 1;
          return next(args);
        },
        { step: 'initialize', name: 'countCommands' },
      );
      const batches = () =>
        sns.commandCalls(PublishBatchCommand).map(({ args: [{ input }] }) => ({
          topic: input.TopicArn,
          entries: input.PublishBatchRequestEntries?.map((e) => JSON.parse(e.Message ?? '').id),
        }));
      const close = () => {
        sns.restore();
        setup.close();
      };
      return { ...setup, sns, commands, batches, close };
    }

    it('sends a storm in slices: a read, the publishes together, one write of marks each', async () => {
      const events = failures(60);
      const { sns, run, commands, batches, store, close } = await throughSns(events, () => []);
      expect(await run(5)).toEqual({ published: 3 + 60, publishFailures: 0, pending: 0 });
      // The members read once for the group's messages, then 25 at a time: read, published, marked.
      expect(commands).toEqual({ Query: 1, BatchGetItem: 1 + 3, BatchWriteItem: 3 });
      expect(sns.commandCalls(PublishCommand)).toHaveLength(3); // one group's message per people channel
      const sent = batches();
      expect(sent.map((b) => b.entries?.length)).toEqual([10, 10, 5, 10, 10, 5, 10]);
      expect(sent.every((b) => b.topic === topics.events)).toBe(true);
      expect(sent.flatMap((b) => b.entries)).toEqual(events.map((e) => e.id)); // in the order decided
      expect(await store.pendingEvents({ em: 'em1' })).toEqual([]);
      close();
    });

    it('marks only the entries SNS accepted, and sends the refused at the next poll, on the events channel alone', async () => {
      const events = failures(30);
      // The first batch has its second entry refused; the other two of the slice were already in flight.
      const { sns, run, commands, batches, store, close } = await throughSns(events, (entries, call) =>
        call === 0 ? entries.slice(1, 2) : [],
      );
      expect(await run(5)).toEqual({ published: 3 + 24, publishFailures: 1, pending: 6 });
      expect(batches().map((b) => b.entries?.length)).toEqual([10, 10, 5]); // the events channel failed
      const left = await store.pendingEvents({ em: 'em1' });
      expect(left.map((e) => [e.id, e.pendingChannels])).toEqual(
        [events[1], ...events.slice(25)].map((e) => [e?.id, ['events']]),
      );
      // One write marks the 24 delivered everywhere; the others' people channels one by one.
      expect(commands).toMatchObject({ BatchWriteItem: 1, UpdateItem: 6 * 3 });
      expect(await run(5)).toEqual({ published: 6, publishFailures: 0, pending: 0 });
      expect(batches().at(-1)?.entries).toEqual(left.map((e) => e.id));
      expect(sns.commandCalls(PublishCommand)).toHaveLength(3); // the people channels were not sent again
      close();
    });

    it('counts a PublishBatch that failed as a whole as every entry refused', async () => {
      const sns = mockClient(SNSClient);
      sns.on(PublishCommand).resolves({ MessageId: 'm' });
      sns.on(PublishBatchCommand).rejects(new Error('Throttled'));
      const { run, store, close } = await setupWith(
        failures(3),
        new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), topics),
      );
      expect(await run(5)).toEqual({ published: 9, publishFailures: 3, pending: 3 });
      expect((await store.pendingEvents({ em: 'em1' })).map((e) => e.pendingChannels)).toEqual([
        ['events'],
        ['events'],
        ['events'],
      ]);
      sns.restore();
      close();
    });
  });
});

function renamed(event: AlertEvent, name: string): AlertEvent {
  return {
    ...event,
    id: `${event.id.slice(0, 24)}${createHash('sha256').update(name).digest('hex').slice(0, 8)}`,
    subject: { ...event.subject, uid: `urn:veeam:Job:${name}`, name },
  };
}
