// An EM that keeps 30 days of sessions: the window slides under a poller that looks back 31 days (the longest
// lookback allowed), so sessions it read, remembered as running or decided vanish between its polls. Nothing may
// be sent twice, nothing re-alerted when the history behind an alert vanishes, and the remembered running
// session must be forgotten rather than asked for forever. (The simulator applies its 30-day window to plain
// collections only, so the test slides it over the query service too: see `slide`.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Scenario, ScenarioBuilder } from '../../functions/simulator/index.ts';
import { type LocalDynamo, startDynalite } from '../../functions/state/local.ts';
import { findCanary } from '../support/canary.ts';
import type { Day } from './day.ts';
import { compare } from './matrix.ts';
import { World } from './support.ts';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

function slidingDay(): { day: Day; longRun: string } {
  const b = new ScenarioBuilder({ now: iso(NOW), seed: 'window' });
  const edge = NOW - 30 * DAY; // the EM's window starts here at the first poll, 30 minutes later at the next
  const archive = b.replicaJob('Monthly Archive');
  for (let d = 31; d >= 1; d--) {
    const failed = d <= 30; // failing since just inside the window at the first poll, which then slides out
    archive.run({
      start: iso(NOW - d * DAY + 40 * MIN),
      durationMin: 10,
      vms: [failed ? { name: 'arc01', result: 'Failed', reason: 'Error: tape offline' } : 'arc01'],
    });
  }
  const longRun = b
    .replicaJob('Long Runner')
    .run({ start: iso(edge + 50 * MIN), durationMin: null, vms: ['big01'] }).uid; // running, then gone
  const times = Array.from({ length: 6 }, (_, i) => iso(NOW + i * 30 * MIN));
  return {
    day: { scenario: b.build(), late: new Map(), times, settings: { lookback: 31 * 24 * 60 } },
    longRun,
  };
}

/** Makes every session created before `now` − 30 days, and its tasks, vanish from the EM (never created). */
function slide(world: World, scenario: Scenario): void {
  const edge = iso(Date.parse(world.sim.clock.now()) - 30 * DAY);
  const never = '9999-12-31T00:00:00.000Z';
  const gone = scenario.replicaJobSessions.filter((s) => s.creationTime < edge);
  const uids = new Set(gone.map((s) => s.uid));
  world.sim.add({
    replicaJobSessions: gone.map((s) => ({ ...s, creationTime: never, endTime: null })),
    replicaTaskSessions: scenario.replicaTaskSessions
      .filter((t) => uids.has(t.jobSessionUid))
      .map((t) => ({ ...t, creationTime: never, endTime: null })),
  });
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

it('sends nothing twice and forgets running sessions the EM no longer has', async () => {
  const { day, longRun } = slidingDay();
  const world = await World.start(dynamo.endpoint, day);
  const running: boolean[] = [];
  const published: number[] = [];
  try {
    for (let i = 0; i < (day.times?.length ?? 0); i++) {
      const poll = await world.poll(i, () => {
        slide(world, day.scenario);
        return {};
      });
      expect(poll.outcome, `poll ${i}`).toBe('ok');
      published.push(poll.publishes.length);
      running.push(((await world.meta())?.running.ReplicaJobSession ?? []).includes(longRun));
    }
  } finally {
    await world.close();
  }
  expect(running).toEqual([true, true, false, false, false, false]); // gone once 30 days old
  expect(published.slice(1).every((n) => n === 0)).toBe(true); // the sliding window re-alerts nothing
  expect(world.events().map((e) => `${e.event}:${e.subject.name}`)).toEqual(['failure:Monthly Archive']);
  expect(compare(world.ledger, world.ledger).windowRepeats).toBe(0);
  expect(world.ledger.deliveries.filter((d) => d.afterMark)).toEqual([]);
  expect(findCanary(world.transcript())).toEqual([]);
  console.log(
    `\n| EM window slides (sessions > 30 days vanish) | ${running.length} polls | 0 | 0 | 0 | – |\n`,
  );
});
