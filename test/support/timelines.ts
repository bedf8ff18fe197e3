// Generated timelines of replica job sessions and poll schedules, and a player that polls them through the engine
// as the poller does: shared by the engine's property tests.

import fc from 'fast-check';
import { decidePoll, type PollInput } from '../../functions/alerts/engine.ts';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import type { Settings } from '../../functions/alerts/settings.ts';
import type { Silence } from '../../functions/alerts/silence.ts';
import type { SubjectState } from '../../functions/alerts/state.ts';
import type { CdpRun, ReplicaRun } from '../../functions/em/runs.ts';
import { at, EM, jobRun } from './alerts-data.ts';

export const HOLD = 15;
export const OVERLAP = 30;
/** Longer than any generated schedule: every run is news, none falls before the first-poll lookback. */
export const LOOKBACK = 31 * 24 * 60;

export interface Timeline {
  runs: ReplicaRun[];
  /** Runs the engine decides on (odd sessions never are), in order per job. */
  decided: ReplicaRun[];
  end: number;
}

export const runSpec = fc.record({
  gap: fc.integer({ min: 1, max: 240 }),
  duration: fc.integer({ min: 1, max: 45 }),
  result: fc.constantFrom('Success', 'Success', 'Failed', 'Warning'),
  retry: fc.boolean(),
  odd: fc.constantFrom(null, null, null, null, null, null, null, 'none', 'unknown-state'),
  vms: fc.integer({ min: 0, max: 3 }),
});

export const timeline = fc
  .array(fc.array(runSpec, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 2 })
  .map((jobs): Timeline => {
    const runs: ReplicaRun[] = [];
    const decided: ReplicaRun[] = [];
    let end = 0;
    jobs.forEach((specs, j) => {
      let t = 5;
      let prevBad = false;
      specs.forEach((s, i) => {
        const isRetry = s.retry && prevBad;
        const start = t + (isRetry ? 10 : s.gap);
        const odd = s.odd === 'none' ? { result: 'None' } : s.odd ? { state: 'Postprocessing' } : {};
        const run = jobRun(
          { job: j + 1, n: i + 1, start, end: start + s.duration, result: s.result, isRetry, ...odd },
          Array.from({ length: s.vms }, (_, v) => (v === 0 ? s.result : 'Success')),
        );
        runs.push(run);
        if (!s.odd) {
          decided.push(run);
          prevBad = s.result !== 'Success';
        }
        t = start + s.duration;
      });
      end = Math.max(end, t);
    });
    return { runs, decided, end };
  });

/** Poll instants (minutes), each maybe failed; the last is long after every run. */
export const schedule = fc.array(
  fc.record({
    step: fc.integer({ min: 1, max: 40 }),
    fails: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  }),
  {
    minLength: 1,
    maxLength: 80,
  },
);

export const ms = (iso: string | null) => Date.parse(iso ?? '');

/** A stored silence over a generated timeline (minutes after T0), over every job or only the first ("SQL*"). */
export const silenceSpec = fc.record({
  from: fc.integer({ min: 0, max: 900 }),
  length: fc.integer({ min: 1, max: 1200 }),
  untilResolved: fc.boolean(),
  every: fc.boolean(),
});
export type SilenceSpec = typeof silenceSpec extends fc.Arbitrary<infer T> ? T : never;

export const silenceOf = (spec: SilenceSpec): Silence => ({
  id: 'prop',
  job: spec.every ? '*' : 'SQL*',
  server: null,
  em: null,
  from: at(spec.from),
  until: at(spec.from + spec.length),
  untilResolved: spec.untilResolved,
  reason: 'property',
  by: null,
});

/** What a poll at `now` reads: runs as they were then, finished ones since the last good poll minus an overlap. */
export function view(runs: ReplicaRun[], now: number, lastOk: number | null): ReplicaRun[] {
  const t = ms(at(now));
  return runs.flatMap((run) => {
    if (ms(run.session.creationTime) > t) return [];
    if (ms(run.session.endTime) > t) return [runningCopy(run, t)];
    return lastOk === null || ms(run.session.endTime) > ms(at(lastOk - OVERLAP)) ? [run] : [];
  });
}

/** A run as a read at `t` (ms) saw it while it ran: tasks not yet ended are in progress, later ones unknown. */
export function runningCopy<R extends ReplicaRun | CdpRun>(run: R, t: number): R {
  const tasks = run.tasks
    .filter((task) => ms(task.creationTime) <= t)
    .map((task) =>
      ms(task.endTime) <= t ? task : { ...task, endTime: null, state: 'InProgress', result: 'None' },
    );
  return { session: { ...run.session, endTime: null, state: 'Working', result: 'None' }, tasks } as R;
}

export type Step = { step: number; fails: boolean };

export function play(
  tl: Timeline,
  steps: Step[],
  config: Settings,
  extra: Pick<Polls, 'onPoll' | 'silences'> = {},
): Played {
  const read = (now: number, lastOk: number | null) => ({ replicaRuns: view(tl.runs, now, lastOk) });
  return playPolls({ steps, end: tl.end, config, read, ...extra });
}

export interface Polls {
  steps: Step[];
  /** The stored silences every poll reads. */
  silences?: Silence[];
  /** The last poll comes long after this. */
  end: number;
  config: Settings;
  /** What a poll that succeeds at `now` reads, the last one that succeeded having been at `lastOk`. */
  read: (now: number, lastOk: number | null) => Partial<PollInput>;
  onPoll?: (input: PollInput) => void;
}

export interface Played {
  sent: AlertEvent[];
  inputs: PollInput[];
  /** Per poll: its minute, whether it read the EM, what it sent, and every state after it. */
  polls: { now: number; ok: boolean; events: AlertEvent[]; states: Map<string, SubjectState> }[];
}

/** Plays a schedule (plus a last poll long after `end`) against an in-memory store, as the poller does. */
export function playPolls({ steps, end, config, read, onPoll, silences }: Polls): Played {
  const store = new Map<string, SubjectState>();
  const sent: AlertEvent[] = [];
  const inputs: PollInput[] = [];
  const polls: Played['polls'] = [];
  let now = 0;
  let lastOk: number | null = null;
  for (const { step, fails } of [...steps, { step: end + 3 * 24 * 60, fails: false }]) {
    now += step;
    const input: PollInput = {
      em: EM,
      now: at(now),
      outcome: fails ? { ok: false, error: { kind: 'timeout', message: 'no answer' } } : { ok: true },
      replicaRuns: [],
      cdpRuns: [],
      ...(fails ? {} : read(now, lastOk)),
      states: [...store.values()],
      settings: config,
      ...(silences ? { silences } : {}),
    };
    inputs.push(input);
    onPoll?.(input);
    const decision = decidePoll(input);
    for (const s of decision.states) store.set(s.key, structuredClone(s));
    sent.push(...decision.events);
    polls.push({ now, ok: !fails, events: decision.events, states: new Map(store) });
    if (!fails) lastOk = now;
  }
  return { sent, inputs, polls };
}
