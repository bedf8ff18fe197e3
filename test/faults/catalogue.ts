// Every fault the matrix injects, and the kind of step it acts on. The fault-free day's record of each poll lists
// the steps of each kind that poll has, so a poll that gains a step (one more write, one more request) is
// covered without touching this file.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { FaultRule } from '../../functions/simulator/index.ts';
import { type Hook, Run } from './probes.ts';
import { LEASE_MS, type PollRecord, type PollTweaks, refusedUrl, type World } from './support.ts';

/** What a fault acts on: the k-th EM request, page-2 query, state write or publish; `poll`: the whole poll. */
export type StepKind = 'em' | 'page2' | 'write' | 'publish' | 'poll';

export interface FaultKind {
  name: string;
  /** What the README table calls it. */
  title: string;
  on: StepKind;
  /** The changes to the poll that has the fault at its step `k` (1-based). */
  arm(world: World, k: number): Promise<PollTweaks> | PollTweaks;
  /** A wrong clock may change what is decided (a hold ends early): extra events are reported, not failed. */
  mayDecideDifferently?: boolean;
}

/** The steps of a kind in a poll, in order, each by its label; a whole poll is labelled by whether it alerted. */
export function stepsOf(on: StepKind, poll: PollRecord): readonly string[] {
  if (on === 'em') return poll.emRequests;
  if (on === 'page2') return poll.page2;
  if (on === 'write') return poll.writes;
  if (on === 'publish') return poll.publishes;
  return [poll.publishes.length ? 'alerting poll' : 'quiet poll'];
}

const MIN = 60_000;

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

const hooked = (name: string, title: string, on: StepKind, hooks: (k: number) => PollTweaks['hooks']) =>
  ({ name, title, on, arm: (_world, k) => ({ hooks: hooks(k) }) }) satisfies FaultKind;

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
  hooked('dynamo-throttled', 'DynamoDB throttling on a write', 'write', (k) => ({
    beforeWrite: at(k, fail('ProvisionedThroughputExceededException', 400)),
  })),
  hooked('dynamo-error-after-write', 'DynamoDB error after the write took effect', 'write', (k) => ({
    afterWrite: at(k, fail('InternalServerError', 500)),
  })),
  hooked('crash-after-write', 'Process killed after a state write', 'write', (k) => ({
    afterWrite: at(k, die),
  })),
  hooked('sns-throttled', 'SNS throttling on a publish', 'publish', (k) => ({
    beforePublish: at(k, fail('Throttling', 400)),
  })),
  hooked('sns-error', 'SNS error on a publish', 'publish', (k) => ({
    beforePublish: at(k, fail('InternalError', 500)),
  })),
  hooked('sns-lost-answer', 'SNS accepted a publish, its answer was lost', 'publish', (k) => ({
    afterPublish: at(k, fail('TimeoutError', 0)),
  })),
  hooked('crash-after-publish', 'Process killed after SNS accepted a publish', 'publish', (k) => ({
    afterPublish: at(k, die),
  })),
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
  },
  {
    name: 'poller-clock-back',
    title: "Poller's clock steps back 45 min",
    on: 'poll',
    mayDecideDifferently: true,
    arm: () => ({ clockOffsetMs: -45 * MIN }),
  },
  {
    name: 'poller-clock-ahead',
    title: "Poller's clock jumps ahead 2 h",
    on: 'poll',
    mayDecideDifferently: true,
    arm: () => ({ clockOffsetMs: 120 * MIN }),
  },
  {
    // The EM shows the world as it was: recent sessions vanish, finished ones run again (a lagging EM
    // database looks the same). Showing the future instead would be no fault of a real EM: it cannot.
    name: 'em-clock-back',
    title: "EM's clock steps back 45 min",
    on: 'poll',
    arm: (world) => {
      world.sim.clock.advance(-45 * MIN);
      return { after: () => world.sim.clock.advance(45 * MIN) };
    },
  },
];
