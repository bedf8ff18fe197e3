// Properties of the engine over generated timelines of job sessions (retries, sessions seen running before
// they end, odd states) and CDP policy sessions (VM syncs turning bad and recovering), and poll schedules
// (overlapping reads, failed polls, repeats, pages in any order and split any way).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidePoll, type PollInput } from '../../functions/alerts/engine.ts';
import type { AlertEvent, AlertSeverity } from '../../functions/alerts/event.ts';
import { byStart, SEVERITY_RANK } from '../../functions/alerts/runs.ts';
import { isNotice } from '../../functions/alerts/silence.ts';
import { MINUTE } from '../../functions/duration.ts';
import { isFinal } from '../../functions/em/model.ts';
import type { CdpRun, ReplicaRun } from '../../functions/em/runs.ts';
import { at, cdpSession, cdpTask, settings } from '../support/alerts-data.ts';
import {
  HOLD,
  LOOKBACK,
  ms,
  play,
  playPolls,
  runningCopy,
  schedule,
  timeline,
} from '../support/timelines.ts';

/** When the first CDP policy session starts (its first VM sync ends later). */
const FIRST_START = 5;

interface CdpTimeline {
  /** Policy sessions one after another, each with its VMs' syncs one after another. */
  runs: CdpRun[];
  end: number;
}

const sync = fc.record({
  gap: fc.integer({ min: 0, max: 30 }),
  duration: fc.integer({ min: 1, max: 20 }),
  result: fc.constantFrom('Success', 'Success', 'Warning', 'Failed'),
});

const cdpTimeline = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 120 }),
      result: fc.constantFrom('Success', 'Success', 'Warning', 'Failed'),
      vms: fc.array(fc.array(sync, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((specs): CdpTimeline => {
    const runs: CdpRun[] = [];
    let t = FIRST_START;
    specs.forEach((spec, i) => {
      const start = i === 0 ? FIRST_START : t + spec.gap;
      const syncs = spec.vms.flatMap((vm, v) => {
        let end = start;
        return vm.map((s, n) => {
          const from = end + s.gap;
          end = from + s.duration;
          return { vm: `vm${v}`, n, start: from, end, result: s.result };
        });
      });
      const end = Math.max(...syncs.map((s) => s.end)) + 1;
      const session = cdpSession({ n: i + 1, start, end, result: spec.result });
      runs.push({ session, tasks: syncs.map((s) => cdpTask(session, s)) });
      t = end;
    });
    return { runs, end: t };
  });

/** A CDP poll at `now` reads every policy session started by then, running ones with their VM syncs so far. */
function cdpView(runs: CdpRun[], now: number): CdpRun[] {
  const t = ms(at(now));
  return runs
    .filter((run) => ms(run.session.creationTime) <= t)
    .map((run) => (ms(run.session.endTime) <= t ? run : runningCopy(run, t)));
}

type Health = AlertSeverity | 'Success';
const rank = (h: AlertSeverity | null) => (h ? SEVERITY_RANK[h] : 0);

/**
 * The CDP rules on their own, with no hold, reminders or staleness: a running policy session is judged by its
 * VMs' latest finished syncs and counts as one failed run however many VMs fail (a later rise to Failed is sent);
 * its end counts again only if it had recovered; a success resolves with the count of failed sessions.
 */
function expectedCdp(inputs: PollInput[]): string[] {
  const out: string[] = [];
  let open: { severity: AlertSeverity; runs: number } | null = null;
  let decided: CdpRun['session'] | null = null;
  let counted: { uid: string; severity: AlertSeverity | null } | null = null;
  const take = (health: Health, newRun: boolean) => {
    if (health === 'Success') {
      if (open) out.push(`resolved:${open.runs}`);
      open = null;
    } else if (!open) {
      open = { severity: health, runs: 1 };
      out.push(`failure:${health}:1`);
    } else {
      if (newRun) open.runs++;
      if (rank(health) > rank(open.severity)) {
        open.severity = health;
        out.push(`failure:${health}:${open.runs}`);
      }
    }
  };
  for (const { cdpRuns, outcome } of inputs) {
    if (!outcome.ok) continue;
    for (const { session, tasks } of [...cdpRuns].sort((a, b) => byStart(a.session, b.session))) {
      if (decided && byStart(session, decided) <= 0) continue;
      const seen = counted?.uid === session.uid ? counted.severity : null;
      if (isFinal(session)) {
        decided = session;
        counted = null;
        take(session.result as Health, !(seen && session.result !== 'Success'));
        continue;
      }
      const latest = new Map<string, string>();
      for (const task of [...tasks].sort(byStart))
        if (task.state === 'Completed') latest.set(task.vmDisplayName, task.result);
      const results = [...latest.values()];
      const worst = results.includes('Failed') ? 'Failed' : results.includes('Warning') ? 'Warning' : null;
      if (worst && rank(worst) > rank(seen)) {
        counted = { uid: session.uid, severity: worst };
        take(worst, !seen);
      } else if (!worst && seen && results.length) {
        counted = { uid: session.uid, severity: null };
        take('Success', false);
      }
    }
  }
  return out;
}

/** The runs as pages may bring them: with the `earlier` views of some, a few twice, in any order. */
function pagesOf<R>(runs: readonly R[], earlier: readonly R[], rng: () => number): R[] {
  const again = runs.filter(() => rng() < 0.3);
  return [...runs, ...again, ...earlier].sort(() => rng() - 0.5);
}

/** Deciding the poll on its sessions as `pages` read them changes nothing; deciding it again sends nothing. */
function expectSameDecision(input: PollInput, pages: Partial<PollInput>): void {
  const once = decidePoll(input);
  expect(decidePoll({ ...input, ...pages })).toEqual(once);
  const stored = new Map(input.states.map((s) => [s.key, s]));
  for (const s of once.states) stored.set(s.key, s);
  expect(decidePoll({ ...input, states: [...stored.values()] })).toEqual({ events: [], states: [] });
}

const RUNS = 300;

describe('engine properties', () => {
  it('repeating a poll, or reading its sessions in other pages, orders and copies, changes nothing', () => {
    fc.assert(
      fc.property(timeline, schedule, fc.integer({ min: 0, max: 2 ** 31 }), (tl, steps, seed) => {
        play(tl, steps, settings(), {
          onPoll: (input) => {
            const rng = mulberry32(seed);
            // Pages split a poll's sessions anyhow: a session may come twice, and an earlier page may have seen a
            // finished one still running, with its VM tasks in progress.
            const stale = input.replicaRuns
              .filter((run) => isFinal(run.session) && rng() < 0.5)
              .map((run) => runningCopy(run, ms(run.session.endTime) - 1));
            expectSameDecision(input, { replicaRuns: pagesOf(input.replicaRuns, stale, rng) });
          },
        });
      }),
      { numRuns: 150 },
    );
  });

  it('CDP: repeating a poll, or reading its policy sessions in other pages, orders and copies, changes nothing', () => {
    fc.assert(
      fc.property(cdpTimeline, schedule, fc.integer({ min: 0, max: 2 ** 31 }), (tl, steps, seed) => {
        const read = (now: number) => ({ cdpRuns: cdpView(tl.runs, now) });
        const onPoll = (input: PollInput) => {
          const rng = mulberry32(seed);
          // An earlier page saw a finished policy session still running, or a running one with fewer syncs.
          const earlier = input.cdpRuns
            .filter(() => rng() < 0.5)
            .map((run) =>
              isFinal(run.session)
                ? runningCopy(run, ms(run.session.endTime) - 1)
                : { ...run, tasks: run.tasks.filter(() => rng() < 0.5) },
            );
          expectSameDecision(input, { cdpRuns: pagesOf(input.cdpRuns, earlier, rng) });
        };
        const first = { step: FIRST_START, fails: false };
        playPolls({ steps: [first, ...steps], end: tl.end, config: settings(), read, onPoll });
      }),
      { numRuns: 150 },
    );
  });

  it('every stale and every unreachable alert that opened gets exactly one resolved after recovery', () => {
    let stales = 0;
    let outages = 0;
    fc.assert(
      fc.property(timeline, schedule, (tl, steps) => {
        const config = settings({ stale: 60, unreachableAfter: 2, retryHold: HOLD, lookback: LOOKBACK });
        const { sent } = play(tl, steps, config);
        // The EM: notice, resolved, notice, resolved...; the last poll succeeds, so every notice is resolved.
        const em = sent.filter((e) => e.subject.kind === 'enterprise-manager').map((e) => e.event);
        expect(em).toEqual(em.map((_, i) => (i % 2 ? 'resolved' : 'source-unreachable')));
        expect(em.length % 2).toBe(0);
        outages += em.length / 2;
        for (const job of new Set(tl.decided.map((r) => r.session.jobUid))) {
          // Its alert's events: notices (a run gone long and its end) open and close nothing of the alert.
          const events = sent.filter((e) => e.subject.uid === job && !isNotice(e));
          // One alert at a time: stale only when nothing is open, a resolved only for an open alert.
          let open = false;
          for (const e of events) {
            if (e.event === 'stale') expect(open).toBe(false);
            if (e.event === 'resolved' || e.event === 'reminder') expect(open).toBe(true);
            open = e.event !== 'resolved';
          }
          // A stale alert is resolved by the first success that ends after it (failed runs keep it open).
          events.forEach((e, i) => {
            if (e.event !== 'stale') return;
            stales++;
            const recovered = tl.decided.some(
              (r) =>
                r.session.jobUid === job &&
                r.session.result === 'Success' &&
                ms(r.session.endTime) > ms(e.detectedAt),
            );
            expect(events.slice(i + 1).some((later) => later.event === 'resolved')).toBe(recovered);
          });
        }
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: the generated timelines do go stale and lose their EM.
    expect(stales).toBeGreaterThan(RUNS / 2);
    expect(outages).toBeGreaterThan(RUNS / 10);
  });

  it('never emits an event id twice, and different poll schedules send the same events', () => {
    fc.assert(
      fc.property(timeline, schedule, schedule, (tl, a, b) => {
        const config = settings({ repeat: 0, stale: 'off', lookback: LOOKBACK });
        const playedA = play(tl, a, config);
        const playedB = play(tl, b, config);
        expect(new Set(playedA.sent.map((e) => e.id)).size).toBe(playedA.sent.length);
        // What ended before a schedule first saw the job is not news to it: compare what both schedules saw.
        for (const job of new Set(tl.decided.map((r) => r.session.jobUid))) {
          const runs = tl.decided.filter((r) => r.session.jobUid === job);
          const seenSince = [playedA, playedB].map((p) => firstSightSuccess(p.inputs, job));
          const news = (e: AlertEvent) => !endedBefore(streakOf(runs, e), ...seenSince);
          const key = (e: AlertEvent) => `${e.id} ${e.event} ${e.severity} ${e.failedRuns}`;
          // A long run is told only by a poll that sees it running past its limit: that depends on the schedule.
          const timed = (e: AlertEvent) => e.event === 'long-run' || e.event === 'long-run-ended';
          const events = (p: typeof playedA) =>
            p.sent.filter((e) => e.subject.uid === job && news(e) && !timed(e)).map(key);
          expect(events(playedA).sort()).toEqual(events(playedB).sort());
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('with defaults (stale, reminders), ids stay unique', () => {
    fc.assert(
      fc.property(timeline, schedule, (tl, steps) => {
        const { sent } = play(tl, steps, settings());
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('every unrecovered failed streak is reported once and resolved once after a success; recovered ones, and those over before the job was first seen, send nothing', () => {
    fc.assert(
      fc.property(timeline, schedule, (tl, steps) => {
        const { sent, inputs } = play(
          tl,
          steps,
          settings({ repeat: 0, stale: 'off', retryHold: HOLD, lookback: LOOKBACK }),
        );
        for (const job of new Set(tl.decided.map((r) => r.session.jobUid))) {
          const runs = tl.decided.filter((r) => r.session.jobUid === job);
          const events = sent.filter((e) => e.subject.uid === job);
          const seenSince = firstSightSuccess(inputs, job);
          const expected = streaks(runs).flatMap((streak) => {
            const { bad, next } = streak;
            if (endedBefore(streak, seenSince) || !unrecovered(bad, next)) return [];
            return [`failure:${bad[0]?.session.uid}`, ...(next ? [`resolved:${bad.length}`] : [])];
          });
          const firstFailures = events.filter((e, i) => e.event === 'failure' && !isRise(events, i));
          const actual = [
            ...firstFailures.map((e) => `failure:${streakOf(runs, e)?.bad[0]?.session.uid}`),
            ...events.filter((e) => e.event === 'resolved').map((e) => `resolved:${e.failedRuns}`),
          ];
          expect(actual.sort()).toEqual(expected.sort());
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('CDP: bad VM syncs are grouped per policy session, each bad session counted once, resolved after a success', () => {
    fc.assert(
      fc.property(cdpTimeline, schedule, (tl, steps) => {
        const config = settings({ retryHold: 0, repeat: 0, stale: 'off', lookback: LOOKBACK });
        // The first poll sees the first policy session start, before any VM sync ends.
        const schedule = [{ step: FIRST_START, fails: false }, ...steps];
        const read = (now: number) => ({ cdpRuns: cdpView(tl.runs, now) });
        const { sent, inputs } = playPolls({ steps: schedule, end: tl.end, config, read });
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
        const brief = sent
          .filter((e) => e.subject.kind === 'cdp-policy')
          .map((e) =>
            e.event === 'resolved' ? `resolved:${e.failedRuns}` : `${e.event}:${e.severity}:${e.failedRuns}`,
          );
        expect(brief).toEqual(expectedCdp(inputs));
        const last = tl.runs.at(-1)?.session;
        if (last?.result === 'Success' && brief.length) expect(brief.at(-1)).toMatch(/^resolved:/);
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
    return !after || ms(after.session.creationTime) >= ms(run.session.endTime) + HOLD * MINUTE;
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

/** The streak an event is about: the one its failed run belongs to, or the one its resolving run ended. */
function streakOf(runs: ReplicaRun[], event: AlertEvent) {
  const uid = event.session?.uid;
  return streaks(runs).find(
    ({ bad, next }) => next?.session.uid === uid || bad.some((r) => r.session.uid === uid),
  );
}

/**
 * The latest success a job's first sight read (the first good poll with any of its sessions), if any: on first
 * sight what ended before it only seeds the state.
 */
function firstSightSuccess(inputs: PollInput[], jobUid: string): ReplicaRun | undefined {
  const first = inputs.find((input) => input.replicaRuns.some((run) => run.session.jobUid === jobUid));
  return first?.replicaRuns
    .filter(
      (run) => run.session.jobUid === jobUid && isFinal(run.session) && run.session.result === 'Success',
    )
    .sort((a, b) => byStart(a.session, b.session))
    .at(-1);
}

/** A streak over (its success read) by one of these first-sight successes. */
function endedBefore(streak: ReturnType<typeof streakOf>, ...successes: (ReplicaRun | undefined)[]): boolean {
  const next = streak?.next;
  return !!next && successes.some((s) => s && byStart(next.session, s.session) <= 0);
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
