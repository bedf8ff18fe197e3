// The poller against an EM that behaves as a real one does (em-rest-api.md, "Timing"): backup servers collected
// late and caught up at once, clocks hours off, task sessions collected after their session, empty answers in
// every shape, running CDP syncs that already failed, rows collected between two page requests. The real poller
// (pollEm) over HTTP, state in dynalite, SNS mocked at the SDK (the fault matrix's world, test/faults/support.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/index.ts';
import { MINUTE } from '../../functions/duration.ts';
import {
  type EmptyAnswer,
  FAILURE_REASONS,
  type Scenario,
  ScenarioBuilder,
} from '../../functions/simulator/index.ts';
import { type LocalDynamo, startDynalite } from '../../functions/state/local.ts';
import type { Day } from '../faults/day.ts';
import { World } from '../faults/support.ts';

const START = Date.parse('2026-12-01T06:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** The instant at `hh:mm` of the test's day. */
const at = (hhmm: string) => `2026-12-01T${hhmm}:00.000Z`;
const [SNAPSHOT = '', TIMEOUT = ''] = FAILURE_REASONS;
const A = 'vbr01.tech.local';
const B = 'vbr02.tech.local';
/** Every 15 minutes from 06:00 to 13:00. */
const TIMES = Array.from({ length: 29 }, (_, i) => iso(START + i * 15 * MINUTE));

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

/** Alpha on A runs fine every hour; Bravo on B fails at 07:00 (one VM) and recovers at 10:30. */
function estate(): { scenario: Scenario; failure: string } {
  const b = new ScenarioBuilder({ now: iso(START), seed: 'real-em' });
  const alpha = b.replicaJob('Alpha', { backupServer: A });
  for (let h = 5; h <= 12; h++)
    alpha.run({ start: at(`${String(h).padStart(2, '0')}:10`), vms: ['a1', 'a2'] });
  const bravo = b.replicaJob('Bravo', { backupServer: B });
  bravo.run({ start: at('05:30'), vms: ['b1', 'b2'] });
  const failure = bravo.run({
    start: at('07:00'),
    durationMin: 20,
    vms: [{ name: 'b1', result: 'Failed', reason: TIMEOUT }, 'b2'],
  }).uid;
  bravo.run({ start: at('10:30'), vms: ['b1', 'b2'] });
  return { scenario: b.build(), failure };
}

/** Plays the day; `before(world, time)` changes the EM before each poll. */
async function play(
  day: Day,
  before: (world: World, time: string) => void = () => {},
): Promise<{ world: World; events: AlertEvent[] }> {
  const world = await World.start(dynamo.endpoint, day);
  try {
    for (const [i, time] of (day.times ?? TIMES).entries()) {
      await world.poll(i, () => {
        before(world, time);
        return {};
      });
    }
    expect(world.polls.map((p) => p.outcome)).not.toContain('em-failed');
    expect(world.errors).toEqual([]);
    return { world, events: world.events() };
  } finally {
    await world.close();
  }
}

const of = (events: AlertEvent[], name: string) =>
  events
    .filter((e) => e.subject.name === name)
    .map((e) => `${e.event}:${e.severity}@${e.detectedAt.slice(11, 16)}`);
const vmsOf = (event: AlertEvent | undefined) => event?.vms?.map((vm) => [vm.name, vm.result, vm.reason]);

describe('a backup server the EM collects late', () => {
  it('alerts a failure that reached the EM 2.5 h after it ended, at the first poll after, once, with its VMs', async () => {
    const { scenario, failure } = estate();
    // The EM cannot reach B from 06:40 to 09:50: B's view stays at 06:40, then the backlog arrives at once.
    const frozen = Date.parse(at('06:40'));
    const caughtUp = Date.parse(at('09:50'));
    const { events } = await play({ scenario, late: new Map(), times: TIMES }, (world, time) => {
      const now = Date.parse(time);
      const lag = now >= frozen && now < caughtUp ? now - frozen : 0;
      world.sim.setServerTiming(B, { collectionDelayMs: lag });
    });
    // Seen at 10:00 (the first poll after 09:50), collected late: held one retryHold for a late retry.
    expect(of(events, 'Bravo')).toEqual(['failure:Failed@10:15', 'resolved:Success@11:00']);
    const sent = events.find((e) => e.event === 'failure');
    expect(sent?.session?.uid).toBe(failure);
    expect(vmsOf(sent)).toEqual([['b1', 'Failed', TIMEOUT]]);
    expect(of(events, 'Alpha')).toEqual([]);
  });

  it('alerts a failure of a job first seen late (its first sessions all arrive with the backlog)', async () => {
    const b = new ScenarioBuilder({ now: iso(START), seed: 'first-late' });
    b.replicaJob('Alpha', { backupServer: A }).run({ start: at('05:10'), vms: ['a1'] });
    const charlie = b.replicaJob('Charlie', { backupServer: B });
    charlie.run({ start: at('06:50'), vms: [{ name: 'c1', result: 'Failed', reason: SNAPSHOT }] });
    charlie.run({ start: at('08:00'), vms: ['c1'] }); // fine again before the EM learns of either
    const { events } = await play(
      { scenario: b.build(), late: new Map(), times: TIMES.slice(0, 20) },
      (w, t) =>
        w.sim.setServerTiming(B, {
          collectionDelayMs: Date.parse(t) < Date.parse(at('09:00')) ? 3 * 60 * MINUTE : 0,
        }),
    );
    // Not history: an earlier poll had read the EM, so these reached it late.
    expect(of(events, 'Charlie')).toEqual(['failure:Failed@09:00', 'resolved:Success@09:00']);
  });

  it('waits for task sessions collected after their session, then alerts once with the VMs', async () => {
    const { scenario } = estate();
    const { events } = await play({ scenario, late: new Map(), times: TIMES.slice(0, 12) }, (world) =>
      world.sim.setServerTiming(B, { collectionPeriodMs: 15 * MINUTE, taskDelayMs: 30 * MINUTE }),
    );
    const sent = events.filter((e) => e.subject.name === 'Bravo');
    expect(sent.map((e) => e.event)).toEqual(['failure']);
    // The session shows at 07:30, its VMs at 08:00 (the collection after 07:50).
    expect(sent[0]?.detectedAt).toBe(at('08:00'));
    expect(vmsOf(sent[0])).toEqual([['b1', 'Failed', TIMEOUT]]);
  });

  it('alerts without VMs, an hour after it first saw the run, when the task sessions never come', async () => {
    const { scenario } = estate();
    const { events } = await play({ scenario, late: new Map(), times: TIMES.slice(0, 14) }, (world) =>
      world.sim.setServerTiming(B, { taskDelayMs: 24 * 60 * MINUTE }),
    );
    const sent = events.filter((e) => e.subject.name === 'Bravo');
    expect(sent.map((e) => `${e.event}@${e.detectedAt.slice(11, 16)}`)).toEqual(['failure@08:30']);
    expect(sent[0]?.vms).toEqual([]);
  });
});

describe('backup servers on other clocks', () => {
  it.each([
    ['3 h ahead', 180],
    ['3 h behind', -180],
    ['6 h ahead', 360],
  ])('a server %s misses nothing of its own or of the other server', async (_, offsetMin) => {
    const { scenario } = estate();
    const b = new ScenarioBuilder({ now: iso(START), seed: 'alpha-fails' });
    const delta = b.replicaJob('Delta', { backupServer: A });
    delta.run({ start: at('05:00'), vms: ['d1'] });
    delta.run({
      start: at('08:00'),
      durationMin: 10,
      vms: [{ name: 'd1', result: 'Failed', reason: SNAPSHOT }],
    });
    delta.run({ start: at('11:00'), vms: ['d1'] });
    const both = b.build();
    const day: Day = {
      scenario: {
        ...scenario,
        backupServers: [...scenario.backupServers],
        replicaJobSessions: [...scenario.replicaJobSessions, ...both.replicaJobSessions],
        replicaTaskSessions: [...scenario.replicaTaskSessions, ...both.replicaTaskSessions],
      },
      late: new Map(),
      times: TIMES,
    };
    const { events } = await play(day, (world) =>
      world.sim.setServerTiming(B, { clockOffsetMs: offsetMin * MINUTE }),
    );
    // B's failure ended at 07:20 on the EM's clock, hours off on B's: held one retryHold from the poll that first
    // saw it (07:30), on the poller's clock.
    expect(of(events, 'Bravo')).toEqual(['failure:Failed@07:45', 'resolved:Success@11:00']);
    expect(of(events, 'Delta')).toEqual(['failure:Failed@08:30', 'resolved:Success@11:30']);
  });
});

describe('empty answers', () => {
  it.each<EmptyAnswer>(['bare-entities', 'pages-count-0', 'page-num-0', 'container'])(
    'an EM without CDP policies answering %s: the first poll alerts its replica failures and raises nothing else',
    async (shape) => {
      const b = new ScenarioBuilder({ now: iso(START), seed: 'no-cdp' });
      b.replicaJob('Echo', { backupServer: A }).run({
        start: at('05:00'),
        vms: [{ name: 'e1', result: 'Failed', reason: SNAPSHOT }],
      });
      const { world, events } = await play(
        { scenario: b.build(), late: new Map(), times: TIMES.slice(0, 2) },
        (w) => w.sim.setEmptyAnswer(shape),
      );
      expect(events.map((e) => `${e.event}:${e.subject.name}@${e.detectedAt.slice(11, 16)}`)).toEqual([
        'failure:Echo@06:00',
      ]);
      expect(world.polls.map((p) => p.outcome)).toEqual(['ok', 'ok']);
    },
  );
});

describe('running CDP syncs', () => {
  it('alerts a sync still running with a Failed result when it is seen, once, and not again when it ends', async () => {
    const b = new ScenarioBuilder({ now: iso(START), seed: 'cdp-running' });
    const gold = b.cdpPolicy('CDP Gold', { backupServer: A });
    gold.session({ start: at('05:00'), durationMin: null, vms: ['gold01', 'gold02'] });
    const scenario = b.build();
    const [, sync] = scenario.cdpReplicaTaskSessions; // gold02's only sync, running
    if (!sync) throw new Error('no sync');
    const failing = { ...sync, state: 'InProgress', result: 'Failed', reason: 'Error: CDP journal is full' };
    const { events } = await play({ scenario, late: new Map(), times: TIMES.slice(0, 12) }, (world, time) => {
      if (time === at('07:00')) world.sim.add({ cdpReplicaTaskSessions: [failing] });
      if (time === at('08:00'))
        world.sim.add({ cdpReplicaTaskSessions: [{ ...failing, state: 'Completed', endTime: at('07:55') }] });
    });
    expect(of(events, 'CDP Gold')).toEqual(['failure:Failed@07:15']);
    expect(vmsOf(events[0])).toEqual([['gold02', 'Failed', 'Error: CDP journal is full']]);
  });
});

describe('rows collected while a query is paged', () => {
  it('re-reads the query and alerts a failure inserted between two pages exactly once', async () => {
    const b = new ScenarioBuilder({ now: iso(START), seed: 'mid-page' });
    const golf = b.replicaJob('Golf', { backupServer: A }); // enough sessions for pages of three
    for (let m = 0; m < 9; m++)
      golf.run({ start: iso(START - (90 - 10 * m) * MINUTE), durationMin: 5, vms: ['g1'] });
    const busy = b.build();
    b.replicaJob('Foxtrot', { backupServer: A }).run({
      start: at('06:20'),
      durationMin: 5,
      vms: [{ name: 'f1', result: 'Failed', reason: SNAPSHOT }],
    });
    const all = b.build();
    const inserted = {
      replicaJobSessions: all.replicaJobSessions.slice(busy.replicaJobSessions.length),
      replicaTaskSessions: all.replicaTaskSessions.slice(busy.replicaTaskSessions.length),
    };
    const day = { scenario: busy, late: new Map(), times: TIMES.slice(0, 6) };
    const { world, events } = await play(day, (w, time) => {
      if (time !== at('06:30')) return;
      const apply = () => w.sim.add(inserted);
      w.sim.faults.add({
        kind: 'mutate',
        path: '/api/query',
        queryType: 'ReplicaJobSession',
        page: 2,
        apply,
      });
    });
    expect(of(events, 'Foxtrot')).toEqual(['failure:Failed@06:45']);
    // The page-2 request after the insertion made the poll read the query again from page 1, then to its end.
    expect(world.polls[2]?.page2.filter((t) => t === 'ReplicaJobSession')).toHaveLength(2);
  });
});
