// An EM that keeps 30 days of sessions: the window slides under a poller that looks back 31 days (the longest
// lookback allowed), so sessions it read, remembered as running or decided vanish between its polls, replica and
// CDP alike. Compared with the same month on an EM that keeps everything: nothing lost, nothing sent twice or
// added (no re-alert, no resolution, when the history behind an alert vanishes), and remembered running
// sessions forgotten rather than asked for forever. One trial per poll the window starts sliding at.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../functions/duration.ts';
import { ScenarioBuilder } from '../../functions/simulator/index.ts';
import { type LocalDynamo, startDynalite } from '../../functions/state/local.ts';
import { findCanary } from '../support/canary.ts';
import { WINDOW_SLIDES } from './catalogue.ts';
import type { Day } from './day.ts';
import { emptyRow, table, tally } from './matrix.ts';
import { World } from './support.ts';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const failed = (name: string, reason: string) => ({ name, result: 'Failed' as const, reason });

function slidingDay(): { day: Day; longRuns: { replica: string; cdp: string } } {
  const b = new ScenarioBuilder({ now: iso(NOW), seed: 'window' });
  const edge = NOW - 30 * DAY; // the EM's window starts here at the first poll, 30 minutes later at the next
  const archive = b.replicaJob('Monthly Archive');
  const vault = b.cdpPolicy('CDP Vault');
  for (let d = 31; d >= 1; d--) {
    const failing = d <= 30; // failing since just inside the window at the first poll, which then slides out
    archive.run({
      start: iso(NOW - d * DAY + 40 * MINUTE),
      durationMin: 10,
      vms: [failing ? failed('arc01', 'Error: tape offline') : 'arc01'],
    });
    vault.session({
      start: iso(NOW - d * DAY + 45 * MINUTE),
      durationMin: 60,
      vms: [failing ? { ...failed('vault01', 'Error: target datastore full'), syncs: 1 } : 'vault01'],
    });
  }
  // Running since just inside the window at the first poll, then gone.
  const replica = b
    .replicaJob('Long Runner')
    .run({ start: iso(edge + 50 * MINUTE), durationMin: null, vms: ['big01'] }).uid;
  const cdp = b
    .cdpPolicy('CDP Long')
    .session({ start: iso(edge + 55 * MINUTE), durationMin: null, vms: ['dc01'] }).uid;
  const times = Array.from({ length: 6 }, (_, i) => iso(NOW + i * 30 * MINUTE));
  return {
    day: { scenario: b.build(), late: new Map(), times, settings: { lookback: 31 * 24 * 60 } },
    longRuns: { replica, cdp },
  };
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

it('loses, repeats and adds nothing, and forgets running sessions the EM no longer has', async () => {
  const polls = slidingDay().day.times?.length ?? 0;
  const baseline = await World.start(dynamo.endpoint, slidingDay().day);
  await baseline.play();
  await baseline.close();
  expect(baseline.polls.every((p) => p.outcome === 'ok')).toBe(true);
  // Not a vacuous comparison: the month alerts, on every channel.
  expect(baseline.events().map((e) => `${e.event}:${e.subject.name}`)).toEqual([
    'failure:CDP Vault',
    'failure:Monthly Archive',
  ]);
  expect(baseline.ledger.deliveries).toHaveLength(8);

  const row = emptyRow(WINDOW_SLIDES, polls);
  const failures: string[] = [];
  for (let from = 0; from < polls; from++) {
    const { day, longRuns } = slidingDay();
    const world = await World.start(dynamo.endpoint, day);
    const running: string[] = [];
    try {
      for (let i = 0; i < polls; i++) {
        const poll = await world.poll(i, i >= from ? () => WINDOW_SLIDES.arm(world, 1) : undefined);
        expect(poll.outcome, `window sliding from poll ${from}, poll ${i}`).toBe('ok');
        const meta = await world.meta();
        running.push(
          [
            meta?.types.ReplicaJobSession?.running.includes(longRuns.replica) ? 'replica' : '',
            meta?.types.CdpReplicaSession?.running.includes(longRuns.cdp) ? 'cdp' : '',
          ].join(' '),
        );
      }
    } finally {
      await world.close();
    }
    const found = tally(row, { label: 'poll', expected: baseline.ledger, world });
    if (found.length) failures.push(`sliding from poll ${from}: ${found.join('; ')}`);
    // Remembered while the EM lists them, forgotten once they are 30 days old (from the third poll on).
    const gone = (i: number) => i >= Math.max(from, 2);
    expect(running, `sliding from poll ${from}`).toEqual(
      Array.from({ length: polls }, (_, i) => (gone(i) ? ' ' : 'replica cdp')),
    );
    expect(findCanary(world.transcript())).toEqual([]);
  }
  expect(failures).toEqual([]);
  console.log(`\n${table([row]).split('\n').at(-1)}\n`);
}, 120_000); // a whole day of polls: minutes on a loaded two-core machine
