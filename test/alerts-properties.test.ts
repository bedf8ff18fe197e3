// Properties of the engine over generated timelines of job sessions (retries, sessions seen running before
// they end, odd states) and poll schedules (overlapping reads, failed polls, repeats, pages in any order).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidePoll, type PollInput } from '../functions/alerts/engine.ts';
import type { AlertEvent } from '../functions/alerts/event.ts';
import type { Settings } from '../functions/alerts/settings.ts';
import type { SubjectState } from '../functions/alerts/state.ts';
import type { ReplicaRun } from '../functions/em/runs.ts';
import { at, EM, jobRun, settings } from './alerts-data.ts';

const HOLD = 15;
const OVERLAP = 30;
/** Longer than any generated schedule: every run is news, none falls before the first-poll lookback. */
const LOOKBACK = 31 * 24 * 60;

interface Timeline {
  runs: ReplicaRun[];
  /** Runs the engine decides on (odd sessions never are), in order per job. */
  decided: ReplicaRun[];
  end: number;
}

const runSpec = fc.record({
  gap: fc.integer({ min: 1, max: 240 }),
  duration: fc.integer({ min: 1, max: 45 }),
  result: fc.constantFrom('Success', 'Success', 'Failed', 'Warning'),
  retry: fc.boolean(),
  odd: fc.constantFrom(null, null, null, null, null, null, null, 'none', 'unknown-state'),
  vms: fc.integer({ min: 0, max: 3 }),
});

const timeline = fc
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
const schedule = fc.array(
  fc.record({
    step: fc.integer({ min: 1, max: 40 }),
    fails: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  }),
  {
    minLength: 1,
    maxLength: 80,
  },
);

const ms = (iso: string | null) => Date.parse(iso ?? '');

/** What a poll at `now` reads: runs as they were then, finished ones since the last good poll minus an overlap. */
function view(runs: ReplicaRun[], now: number, lastOk: number | null): ReplicaRun[] {
  const t = ms(at(now));
  return runs.flatMap((run) => {
    if (ms(run.session.creationTime) > t) return [];
    if (ms(run.session.endTime) > t) {
      return [{ session: { ...run.session, endTime: null, state: 'Working', result: 'None' }, tasks: [] }];
    }
    return lastOk === null || ms(run.session.endTime) > ms(at(lastOk - OVERLAP)) ? [run] : [];
  });
}

function play(
  tl: Timeline,
  steps: { step: number; fails: boolean }[],
  config: Settings,
  onPoll?: (input: PollInput) => void,
) {
  const store = new Map<string, SubjectState>();
  const sent: AlertEvent[] = [];
  let now = 0;
  let lastOk: number | null = null;
  const polls = [...steps, { step: tl.end - now + 3 * 24 * 60, fails: false }];
  for (const { step, fails } of polls) {
    now += step;
    const input: PollInput = {
      em: EM,
      now: at(now),
      outcome: fails ? { ok: false, error: { kind: 'timeout', message: 'no answer' } } : { ok: true },
      replicaRuns: fails ? [] : view(tl.runs, now, lastOk),
      cdpRuns: [],
      states: [...store.values()],
      settings: config,
    };
    onPoll?.(input);
    const decision = decidePoll(input);
    for (const s of decision.states) store.set(s.key, structuredClone(s));
    sent.push(...decision.events);
    if (!fails) lastOk = now;
  }
  return sent;
}

const RUNS = 300;

describe('engine properties', () => {
  it('repeating a poll, or reading its sessions in other pages and orders, changes nothing', () => {
    fc.assert(
      fc.property(timeline, schedule, fc.integer({ min: 0, max: 2 ** 31 }), (tl, steps, seed) => {
        play(tl, steps, settings(), (input) => {
          const once = decidePoll(input);
          const rng = mulberry32(seed);
          const shuffled = [...input.replicaRuns, ...input.replicaRuns.filter(() => rng() < 0.3)].sort(
            () => rng() - 0.5,
          );
          expect(decidePoll({ ...input, replicaRuns: shuffled })).toEqual(once);
          const stored = new Map(input.states.map((s) => [s.key, s]));
          for (const s of once.states) stored.set(s.key, s);
          expect(decidePoll({ ...input, states: [...stored.values()] })).toEqual({ events: [], states: [] });
        });
      }),
      { numRuns: 150 },
    );
  });

  it('never emits an event id twice, and different poll schedules send the same events', () => {
    fc.assert(
      fc.property(timeline, schedule, schedule, (tl, a, b) => {
        const config = settings({ repeat: 0, stale: 'off', lookback: LOOKBACK });
        const sentA = play(tl, a, config);
        const sentB = play(tl, b, config).filter((e) => e.subject.kind !== 'enterprise-manager');
        expect(new Set(sentA.map((e) => e.id)).size).toBe(sentA.length);
        const key = (e: AlertEvent) => `${e.id} ${e.event} ${e.severity} ${e.failedRuns}`;
        const jobsOnly = sentA.filter((e) => e.subject.kind !== 'enterprise-manager');
        expect(jobsOnly.map(key).sort()).toEqual(sentB.map(key).sort());
      }),
      { numRuns: RUNS },
    );
  });

  it('with defaults (stale, reminders), ids stay unique', () => {
    fc.assert(
      fc.property(timeline, schedule, (tl, steps) => {
        const sent = play(tl, steps, settings());
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('every unrecovered failed streak is reported once and resolved once after a success; recovered ones send nothing', () => {
    fc.assert(
      fc.property(timeline, schedule, (tl, steps) => {
        const sent = play(
          tl,
          steps,
          settings({ repeat: 0, stale: 'off', retryHold: HOLD, lookback: LOOKBACK }),
        );
        for (const job of new Set(tl.decided.map((r) => r.session.jobUid))) {
          const runs = tl.decided.filter((r) => r.session.jobUid === job);
          const events = sent.filter((e) => e.subject.uid === job);
          const expected = streaks(runs).flatMap(({ bad, next }) => {
            if (!unrecovered(bad, next)) return [];
            return [`failure:${bad[0]?.session.uid}`, ...(next ? [`resolved:${bad.length}`] : [])];
          });
          const firstFailures = events.filter(
            (e, i) => e.event === 'failure' && events[i - 1]?.event !== 'failure' && !isRise(events, i),
          );
          const actual = [
            ...firstFailures.map((e) => `failure:${streakStart(runs, e)}`),
            ...events.filter((e) => e.event === 'resolved').map((e) => `resolved:${e.failedRuns}`),
          ];
          expect(actual.sort()).toEqual(expected.sort());
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** Maximal runs of consecutive failed/warning runs, each with the run that ended it (or none). */
function streaks(runs: ReplicaRun[]) {
  const out: { bad: ReplicaRun[]; next: ReplicaRun | undefined }[] = [];
  let bad: ReplicaRun[] = [];
  for (const run of runs) {
    if (run.session.result !== 'Success') bad.push(run);
    else if (bad.length) {
      out.push({ bad, next: run });
      bad = [];
    }
  }
  if (bad.length) out.push({ bad, next: undefined });
  return out;
}

/** A streak is recovered when every failed run's successor started within the hold, the last one a success. */
function unrecovered(bad: ReplicaRun[], next: ReplicaRun | undefined): boolean {
  const all = [...bad, ...(next ? [next] : [])];
  return bad.some((run, i) => {
    const after = all[i + 1];
    return !after || ms(after.session.creationTime) >= ms(run.session.endTime) + HOLD * 60_000;
  });
}

/** A severity rise: a Failed failure following a Warning alert of the same open streak. */
function isRise(events: AlertEvent[], i: number): boolean {
  const e = events[i];
  for (let j = i - 1; j >= 0; j--) {
    const prev = events[j];
    if (prev?.event === 'resolved') return false;
    if (prev?.event === 'failure') return e?.severity === 'Failed' && prev.severity === 'Warning';
  }
  return false;
}

/** The uid of the first run of the streak the event's session belongs to. */
function streakStart(runs: ReplicaRun[], event: AlertEvent): string | undefined {
  const s = streaks(runs).find(({ bad }) => bad.some((r) => r.session.uid === event.session?.uid));
  return s?.bad[0]?.session.uid;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
