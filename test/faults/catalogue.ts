// Every fault the matrix injects, and the kind of step it acts on. The fault-free day's record of each poll lists
// the steps of each kind that poll has, so a poll that gains a step (one more write, one more request) is
// covered without touching this file.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { AlertEvent } from '../../functions/alerts/index.ts';
import { DAY, HOUR, MINUTE } from '../../functions/duration.ts';
import type { FaultRule } from '../../functions/simulator/index.ts';
import { POLL_TIMES, SCHEDULED } from './day.ts';
import { type Hook, Run } from './probes.ts';
import { LEASE_MS, type PollRecord, type PollTweaks, refusedUrl, type World } from './support.ts';

/**
 * What a fault acts on: the k-th EM request, page-2 query, state write or publish; `poll`: the whole poll; `day`:
 * the whole day, from before its first poll (a property of the estate, such as a backup server's clock).
 */
export type StepKind = 'em' | 'page2' | 'write' | 'publish' | 'poll' | 'day';

export interface FaultKind {
  name: string;
  /** What the README table calls it. */
  title: string;
  on: StepKind;
  /** The changes to the poll that has the fault at its step `k` (1-based). */
  arm(world: World, k: number): Promise<PollTweaks> | PollTweaks;
  /**
   * Whether this fault, at a step with this label, may stop a poll after SNS accepted a publish and before the
   * mark was written: the one documented duplicate (docs/state.md, "The order of a poll's writes"), which the next
   * poll publishes again under the same id, once. Every other fault must repeat nothing.
   */
  mayRepeat?: (label: string) => boolean;
  /**
   * A wrong clock may change what is decided: a lost alert may be replaced by the same alert under another
   * trigger (a hold ended early), and at most `atMost` events of the kinds `events` may be added per trial.
   */
  decidesOtherwise?: { events: readonly AlertEvent['event'][]; atMost: number };
}

/** Any step: a fault on a publish hits it after SNS accepted it, or at the mark of one. */
const anyStep = () => true;
/** Only a failed or withheld mark: the publishes before it were accepted. */
const atMark = (label: string) => label === 'markDelivered' || label === 'markAllDelivered';

/** The steps of a kind in a poll, in order, each by its label; a whole poll is labelled by whether it alerted. */
export function stepsOf(on: StepKind, poll: PollRecord, index: number): readonly string[] {
  if (on === 'day') return index === 0 ? ['whole day'] : [];
  if (on === 'em') return poll.emRequests;
  if (on === 'page2') return poll.page2;
  if (on === 'write') return poll.writes;
  if (on === 'publish') return poll.publishes;
  return [poll.publishes.length ? 'alerting poll' : 'quiet poll'];
}

/** The day's second backup server: Exchange DR, Web Farm, Branch Office and CDP Finance run there. */
const VBR02 = 'vbr02.tech.local';

/** An AWS service error as the SDK throws it once its own retries are spent. */
function awsError(name: string, status: number): Error {
  if (name === 'ProvisionedThroughputExceededException') {
    return new ProvisionedThroughputExceededException({
      message: 'Rate of requests exceeds capacity',
      $metadata: {},
    });
  }
  return Object.assign(new Error(`${name} (simulated)`), { name, $metadata: { httpStatusCode: status } });
}

/** A hook that acts at step k only. */
const at =
  (k: number, act: (run: Run) => void): Hook =>
  (n, run) => {
    if (n === k) act(run);
  };
const fail = (name: string, status: number) => () => {
  throw awsError(name, status);
};
const die = (run: Run) => run.die();

/** A simulator fault at the k-th matching EM request of the poll (retries and re-logons count). */
function emFault(world: World, rule: FaultRule): PollTweaks {
  world.sim.faults.add(rule);
  return { after: () => world.sim.faults.clear() };
}
const em = (name: string, title: string, rule: FaultRule): FaultKind => ({
  name,
  title,
  on: 'em',
  arm: (world, k) => emFault(world, { ...rule, nth: k }),
});

/** A fault the probes inject: `hooks(k)` act at the poll's k-th step of the kind. */
const hooked = ({
  hooks,
  ...kind
}: Pick<FaultKind, 'name' | 'title' | 'on' | 'mayRepeat'> & {
  hooks: (k: number) => PollTweaks['hooks'];
}): FaultKind => ({ ...kind, arm: (_world, k) => ({ hooks: hooks(k) }) });

/** Another poll of the same EM (another process) runs to its end while this one waits before its k-th write. */
function alongside(world: World, k: number, clockOffsetMs: number): PollTweaks {
  return {
    hooks: {
      beforeWrite: async (n) => {
        if (n !== k) return;
        await world.pollOnce(new Run(), { clockOffsetMs }).catch((error: unknown) => {
          world.errors.push(`second poll: ${(error as Error).name}`);
        });
      },
    },
  };
}

/** vbr02 stamps its sessions' times off by this all day: the clock of one backup server is wrong. */
const skewed = (name: string, title: string, clockOffsetMs: number): FaultKind => ({
  name,
  title,
  on: 'day',
  arm: (world) => {
    world.sim.setServerTiming(VBR02, { clockOffsetMs });
    return {};
  },
});

/**
 * vbr02's clock steps by this at the poll the fault acts on (an NTP correction, a host clock fixed by hand): the
 * sessions it stamps from then on are off, those the EM has already collected keep their times.
 */
const stepped = (name: string, title: string, clockOffsetMs: number): FaultKind => ({
  name,
  title,
  on: 'poll',
  // A retry after the step reads as starting hours after the failure it retries, past the hold: the failure is
  // sent on the run before it (the same alert, another trigger), as the documented hold on the server's clock says.
  decidesOtherwise: { events: [], atMost: 0 },
  arm: (world) => {
    world.sim.setServerTiming(VBR02, { clockOffsetMs, clockStepAt: world.sim.clock.now() });
    return {};
  },
});

export const FAULTS: FaultKind[] = [
  {
    name: 'em-refused',
    title: 'EM refuses connections (whole poll)',
    on: 'poll',
    arm: async () => ({ url: await refusedUrl() }),
  },
  em('em-reset', 'EM connection reset', { kind: 'reset' }),
  em('em-down', 'EM gone from this request on', { kind: 'reset', times: Number.POSITIVE_INFINITY }),
  em('em-timeout', 'EM request timeout (no answer)', { kind: 'hang' }),
  em('em-truncated', 'EM reset mid-body (truncated body)', { kind: 'truncate' }),
  em('em-500', 'EM HTTP 500', { kind: 'status', status: 500 }),
  em('em-503', 'EM HTTP 503, retries exhausted', { kind: 'status', status: 503, times: 2 }),
  em('em-malformed', 'EM malformed body (HTML proxy page)', { kind: 'malformed' }),
  em('em-401', 'EM 401, token expired', { kind: 'expire-token' }),
  {
    name: 'em-401-page2',
    title: 'EM 401 on page 2 of a query',
    on: 'page2',
    arm: (world, k) => emFault(world, { kind: 'expire-token', path: '/api/query', page: 2, nth: k }),
  },
  hooked({
    name: 'dynamo-throttled',
    title: 'DynamoDB throttling on a write',
    on: 'write',
    hooks: (k) => ({ beforeWrite: at(k, fail('ProvisionedThroughputExceededException', 400)) }),
    mayRepeat: atMark, // the poll stops with the publish accepted and its mark not written
  }),
  hooked({
    name: 'dynamo-error-after-write',
    title: 'DynamoDB error after the write took effect',
    on: 'write',
    hooks: (k) => ({ afterWrite: at(k, fail('InternalServerError', 500)) }),
  }),
  hooked({
    name: 'crash-after-write',
    title: 'Process killed after a state write',
    on: 'write',
    hooks: (k) => ({ afterWrite: at(k, die) }),
  }),
  hooked({
    name: 'sns-throttled',
    title: 'SNS throttling on a publish',
    on: 'publish',
    hooks: (k) => ({ beforePublish: at(k, fail('Throttling', 400)) }),
  }),
  hooked({
    name: 'sns-error',
    title: 'SNS error on a publish',
    on: 'publish',
    hooks: (k) => ({ beforePublish: at(k, fail('InternalError', 500)) }),
  }),
  hooked({
    name: 'sns-batch-entry-refused',
    title: 'SNS refuses one entry of a batch',
    on: 'publish',
    hooks: (k) => ({ refuse: (n) => (n === k ? [0] : []) }), // a step that is no batch: nothing to refuse
  }),
  hooked({
    name: 'sns-lost-answer',
    title: 'SNS accepted a publish, its answer was lost',
    on: 'publish',
    hooks: (k) => ({ afterPublish: at(k, fail('TimeoutError', 0)) }),
    mayRepeat: anyStep,
  }),
  hooked({
    name: 'crash-after-publish',
    title: 'Process killed after SNS accepted a publish',
    on: 'publish',
    hooks: (k) => ({ afterPublish: at(k, die) }),
    mayRepeat: anyStep,
  }),
  {
    name: 'concurrent-poll',
    title: 'Second poll while one runs (lease held)',
    on: 'write',
    arm: (world, k) => alongside(world, k, 0),
  },
  {
    name: 'poll-outlives-lease',
    title: 'Poll stalled past its lease, another takes over',
    on: 'write',
    arm: (world, k) => alongside(world, k, LEASE_MS + 1_000),
    mayRepeat: atMark, // the poll taking over publishes again what the stalled one had not marked yet
  },
  {
    name: 'poller-clock-back',
    title: "Poller's clock steps back 45 min",
    on: 'poll',
    decidesOtherwise: { events: [], atMost: 0 }, // a hold may end later: the same alert, another trigger
    arm: () => ({ clockOffsetMs: -45 * MINUTE }),
  },
  {
    name: 'poller-clock-ahead',
    title: "Poller's clock jumps ahead 2 h",
    on: 'poll',
    // Two hours later, a job that runs often (a threshold of 3 median gaps, at least 2 h) looks overdue: the day
    // has two such jobs with enough runs for a median (Archive, SQL), so at most two stale alerts are added. And a
    // session seen running looks two hours longer: Archive's run, the day's only one seen running after enough runs
    // for a usual duration, is a long run (its notice and, when it ends, the end of it).
    decidesOtherwise: { events: ['stale', 'long-run', 'long-run-ended'], atMost: 4 },
    arm: () => ({ clockOffsetMs: 120 * MINUTE }),
  },
  {
    // The EM shows the world as it was: recent sessions vanish, finished ones run again (a lagging EM
    // database looks the same). Showing the future instead would be no fault of a real EM: it cannot.
    name: 'em-clock-back',
    title: "EM's clock steps back 45 min",
    on: 'poll',
    arm: (world) => {
      world.sim.clock.advance(-45 * MINUTE);
      return { after: () => world.sim.clock.advance(45 * MINUTE) };
    },
  },
  {
    // The EM cannot reach vbr02 from this poll on: its view of vbr02 stays as of the poll before (nothing the
    // poller saw vanishes; a run it saw running stays running), until the backlog is collected at once 2 h later.
    // Sessions of vbr02 that started and ended meanwhile arrive up to 2.5 h late, far more than the poller's 1-hour
    // overlap. Caught up at 11:00 at the latest (or at the next poll when the fault comes later), so that a failure
    // the backlog brings, held 15 minutes for retries collected with it, is sent before the day ends.
    name: 'em-collection-lag',
    title: 'A backup server collected 2.5 h late, then caught up',
    on: 'poll',
    // A failure seen before the outage whose retries run during it: the hold ends with no retry seen and the
    // failure is sent on the run the poller has; the retries then count into that alert. The same alert, another
    // trigger; nothing is added.
    decidesOtherwise: { events: [], atMost: 0 },
    arm: (world) => {
      const now = Date.parse(world.sim.clock.now());
      const lastCollected = now - 30 * MINUTE;
      const caughtUp = Math.max(
        Math.min(now + 2 * HOUR, Date.parse(POLL_TIMES[SCHEDULED - 2] ?? '')),
        now + 1,
      );
      const lag = (time: number) =>
        world.sim.setServerTiming(VBR02, time >= caughtUp ? {} : { collectionDelayMs: time - lastCollected });
      lag(now);
      world.everyPoll((_index, time) => lag(Date.parse(time)));
      return {};
    },
  },
  {
    // EM's collection job as shipped, from this poll to the end of the day, on every server: sessions as of the
    // last collection, task sessions a collection later. The job takes 5 minutes, or the day's polls (on the hour
    // and half hour) would land on collection instants and see no lag at all.
    name: 'em-collection-period',
    title: 'EM collects every 15 min, tasks a collection later',
    on: 'poll',
    arm: (world) => {
      const timing = {
        collectionPeriodMs: 15 * MINUTE,
        collectionDelayMs: 5 * MINUTE,
        taskDelayMs: 15 * MINUTE,
      };
      for (const { name } of world.day.scenario.backupServers) world.sim.setServerTiming(name, timing);
      return {};
    },
  },
  skewed('backup-server-clock-ahead', "A backup server's clock 3 h ahead (all day)", 3 * HOUR),
  skewed('backup-server-clock-behind', "A backup server's clock 3 h behind (all day)", -3 * HOUR),
  stepped('backup-server-clock-steps-ahead', "A backup server's clock steps 3 h ahead", 3 * HOUR),
];

const NEVER = '9999-12-31T00:00:00.000Z';

/**
 * Makes every session the EM created more than 30 days before its clock, and its tasks, vanish (never created),
 * replica and CDP alike; they stay gone. (The simulator applies its 30-day window to plain collections only,
 * not to the query service the poller reads.)
 */
function slideWindow(world: World): void {
  const edge = new Date(Date.parse(world.sim.clock.now()) - 30 * DAY).toISOString();
  const { scenario } = world.day;
  const vanish = <T extends { creationTime: string }>(rows: T[]) =>
    rows.map((row) => ({ ...row, creationTime: NEVER, endTime: null }));
  const jobs = scenario.replicaJobSessions.filter((s) => s.creationTime < edge);
  const policies = scenario.cdpReplicaSessions.filter((s) => s.creationTime < edge);
  const gone = new Set([...jobs, ...policies].map((s) => s.uid));
  world.sim.add({
    replicaJobSessions: vanish(jobs),
    replicaTaskSessions: vanish(scenario.replicaTaskSessions.filter((t) => gone.has(t.jobSessionUid))),
    cdpReplicaSessions: vanish(policies),
    cdpReplicaTaskSessions: vanish(
      scenario.cdpReplicaTaskSessions.filter((t) => gone.has(t.policySessionUid)),
    ),
  });
}

/**
 * An EM that keeps 30 days of sessions, from the poll it acts on: the window slides at that poll and, as a real
 * EM's does, at every later one. Not in FAULTS: it needs a day with a month of history (window.test.ts).
 */
export const WINDOW_SLIDES: FaultKind = {
  name: 'em-window-slides',
  title: 'EM window slides (sessions > 30 days vanish)',
  on: 'poll',
  arm: (world) => {
    slideWindow(world);
    return {};
  },
};
