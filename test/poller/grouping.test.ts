// Property: grouping decides only how messages are put together. Over generated storms (1 to 40 events of every
// kind and severity, any groupAbove, in slices of 25) delivered against dynalite while SNS refuses or loses chosen
// publishes (refused: not sent; lost: sent, then the call failed, as a timeout after SNS accepted), with or without
// batches on the events channel (each entry of a batch refused or lost by a fault of its own), delivery repeated
// until nothing is pending: every event reaches every channel (the events channel by its id, the people channels
// by its job's name in a message's `job` attribute), none is left pending, and without lost ones none twice.

import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/index.ts';
import type { Notifier, Publication } from '../../functions/notify/notifier.ts';
import { deliver } from '../../functions/poller/deliver.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import { suiteDynalite } from '../support/dynalite.ts';
import { REPRESENTATIVE } from '../support/messages-data.ts';

const dynamo = suiteDynalite();
const CHANNELS = ['chat', 'email', 'events', 'sms'] as const;
const PEOPLE = ['chat', 'email', 'sms'] as const;
const TEMPLATES = Object.values(REPRESENTATIVE);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);

/** One event per generated template, each its own job (names are how the people channels are checked). */
function storm(templates: number[]): AlertEvent[] {
  return templates.map((t, i) => {
    const event = (TEMPLATES[t % TEMPLATES.length] as () => AlertEvent)();
    const name = `Job ${String(i).padStart(2, '0')} ${event.event}`;
    const id = `${i.toString(16).padStart(4, '0')}${event.id.slice(4)}`;
    return { ...event, id, subject: { ...event.subject, uid: `urn:veeam:Job:${i}`, name } };
  });
}

type Fault = 'none' | 'refused' | 'lost';

it('delivers every event to every channel, grouped or not, through refused and lost publishes', async () => {
  const client = localClient(dynamo.endpoint);
  let table = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 8 }),
      fc.array(fc.constantFrom<Fault>('none', 'none', 'refused', 'lost'), { maxLength: 40 }),
      fc.boolean(),
      async (templates, groupAbove, faults, batched) => {
        const events = storm(templates).filter((e) => e.subject.kind !== 'enterprise-manager');
        if (!events.length) return;
        const name = `grouping-${table++}`;
        await ensureTable(client, name);
        const store = new DynamoStateStore(client, name);
        for (const [seq, event] of events.entries())
          await store.recordEvent({ em: 'em1', id: event.id, event, channels: [...CHANNELS], nowMs: 0, seq });
        const sent: Publication[] = [];
        let call = 0;
        /** Takes one message as the next fault says: what SNS did with it. */
        const send = (p: Publication): Fault => {
          const fault = faults[call++] ?? 'none';
          if (fault !== 'refused') sent.push(p);
          return fault;
        };
        const notifier: Notifier = {
          channels: CHANNELS,
          publish: async (p: Publication) => {
            const fault = send(p);
            if (fault !== 'none') throw new Error(`SNS ${fault}`);
          },
          ...(batched && {
            publishBatch: async (ps: readonly Publication[]) => {
              const faulted = ps.map(send);
              if (faulted.includes('lost')) throw new Error('SNS lost');
              return faulted.flatMap((fault, index) =>
                fault === 'refused' ? [{ index, reason: fault }] : [],
              );
            },
          }),
        };
        for (let round = 0; round < 10 && (await store.pendingEvents({ em: 'em1' })).length; round++) {
          await deliver({
            em: 'em1',
            store,
            notifier,
            now: () => new Date(0),
            log: { warn: () => {}, error: () => {} },
            settings: { timeZone: 'UTC', groupAbove },
            stop: () => false,
          });
        }
        expect(await store.pendingEvents({ em: 'em1' })).toEqual([]);
        const ids = sent.filter((p) => p.channel === 'events').map((p) => JSON.parse(p.message).id as string);
        expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
        for (const channel of PEOPLE) {
          // Every message names its jobs in the `job` attribute (an array for a group): the SMS has no room to.
          const named = sent
            .filter((p) => p.channel === channel)
            .flatMap((p) => [p.attributes.job ?? []].flat());
          for (const event of events) {
            const times = named.filter((job) => job === event.subject.name).length;
            expect(times, `${event.subject.name} on ${channel}`).toBeGreaterThan(0);
            if (!faults.includes('lost')) expect(times, `${event.subject.name} on ${channel}`).toBe(1);
          }
        }
        if (!faults.includes('lost')) expect(ids).toHaveLength(events.length);
      },
    ),
    { numRuns: RUNS },
  );
  client.destroy();
});
