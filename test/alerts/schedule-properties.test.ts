// Properties of the schedule-aware rules over generated timelines, poll schedules and what the EM says of each
// job's schedule from poll to poll (enabled with a NextRun anywhere around the poll, disabled, run by hand, or not
// readable): a job is never stale twice at once (a missed run is a stale alert, not a second one), and every
// notice gets exactly one all-clear, in turn, also under a silence (which holds notices back and loses none).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import type { SubjectState } from '../../functions/alerts/state.ts';
import { isFinal, type Schedule } from '../../functions/em/model.ts';
import { at, jobSession, settings } from '../support/alerts-data.ts';
import {
  HOLD,
  LOOKBACK,
  playPolls,
  schedule,
  silenceOf,
  type Timeline,
  timeline,
  view,
} from '../support/timelines.ts';

type Said = { kind: 'enabled'; nextRunIn: number } | { kind: 'disabled' | 'manual' | 'unreadable' };

const said = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('enabled' as const),
      nextRunIn: fc.integer({ min: -600, max: 600 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('disabled' as const, 'manual' as const, 'unreadable' as const),
    }),
  },
);

/** What the EM says from a poll on: a change every so many minutes, cycling. */
const sayings = fc.array(fc.record({ every: fc.integer({ min: 10, max: 400 }), said }), {
  minLength: 1,
  maxLength: 6,
});

function scheduleOf(job: number, at_: string, what: Said, now: number): Schedule {
  return {
    kind: 'replica-job',
    uid: jobSession({ job, n: 0, start: 0 }).jobUid,
    name: at_,
    scheduleConfigured: what.kind !== 'manual',
    scheduleEnabled: what.kind === 'enabled',
    nextRun: what.kind === 'enabled' ? at(now + what.nextRunIn) : null,
    backupServerUid: null,
    backupServerName: null,
  };
}

/** Checks that `open` and `close` events alternate per subject, starting with `open`; returns those left open. */
function alternate(events: AlertEvent[], open: string, close: string): string[] {
  const isOpen = new Map<string, boolean>();
  for (const event of events) {
    const uid = event.subject.uid;
    if (event.event === open) {
      expect(isOpen.get(uid), `${open} twice for ${event.subject.name}`).not.toBe(true);
      isOpen.set(uid, true);
    } else if (event.event === close) {
      expect(isOpen.get(uid), `${close} without ${open} for ${event.subject.name}`).toBe(true);
      isOpen.set(uid, false);
    }
  }
  return [...isOpen].filter(([, left]) => left).map(([uid]) => uid);
}

/** The generated EM: its runs as polls read them, and what it says of every job's schedule from poll to poll. */
function estateOf(tl: Timeline, says: { every: number; said: Said }[]) {
  // A low limit, so that polls often see runs past it.
  const config = settings({ retryHold: HOLD, lookback: LOOKBACK, repeat: 0, maxRunDuration: { '*': 15 } });
  const period = says.reduce((sum, s) => sum + s.every, 0);
  const sayAt = (now: number): Said => {
    let t = now % period;
    for (const s of says) {
      if (t < s.every) return s.said;
      t -= s.every;
    }
    return says[0]?.said ?? { kind: 'unreadable' };
  };
  const jobs = [...new Set(tl.runs.map((r) => r.session.jobUid))];
  const read = (now: number, lastOk: number | null) => {
    const what = sayAt(now);
    const replicaRuns = view(tl.runs, now, lastOk);
    if (what.kind === 'unreadable') return { replicaRuns };
    const schedules = jobs.map((_, i) => scheduleOf(i + 1, `job ${i + 1}`, what, now));
    return { replicaRuns, schedules: { 'replica-job': schedules } };
  };
  return { config, read };
}

const NOTICES = [
  ['schedule-disabled', 'schedule-enabled'],
  ['long-run', 'long-run-ended'],
] as const;
const isNotice = (event: AlertEvent) =>
  NOTICES.some((pair) => (pair as readonly string[]).includes(event.event));

/** A hold placed among the polls (fractions of their span): a stored silence, until-resolved or not, or a window. */
const holdSpec = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.double({ min: 0.02, max: 0.8, noNaN: true }),
  kind: fc.constantFrom('silence' as const, 'until-resolved' as const, 'window' as const),
  every: fc.boolean(),
});
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/**
 * The hold as the engine gets it: `silences` for a stored one, the settings' `maintenance` for a window (UTC). It
 * covers one of `notices` (the minutes of polls that sent a notice without it), when there are any.
 */
function holdOf(
  spec: typeof holdSpec extends fc.Arbitrary<infer T> ? T : never,
  span: number,
  notices: number[],
) {
  const length = Math.max(1, Math.floor(spec.length * span));
  const target = notices[Math.floor(spec.at * notices.length)];
  const from =
    target === undefined ? Math.floor(spec.at * span) : Math.max(0, target - Math.floor(length / 2));
  if (spec.kind !== 'window') {
    const untilResolved = spec.kind === 'until-resolved';
    return { silences: [silenceOf({ from, length, untilResolved, every: spec.every })], maintenance: [] };
  }
  const start = new Date(Date.parse(at(from)));
  const hhmm = start.toISOString().slice(11, 16);
  const day = DAY_NAMES[start.getUTCDay()] ?? 'Tue';
  const window = {
    name: 'prop',
    days: [day],
    start: hhmm,
    duration: length,
    ...(spec.every ? {} : { job: 'SQL*' }),
  };
  return { silences: [], maintenance: [window] };
}

describe('schedule properties', () => {
  it('never stale twice at once; disabled/enabled and long-run/ended alternate, each closed once', () => {
    fc.assert(
      fc.property(timeline, schedule, sayings, (tl, steps, says) => {
        const { config, read } = estateOf(tl, says);
        const { sent } = playPolls({ steps, end: tl.end, config, read });
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
        // A stale alert (a missed run among them) is closed by `resolved` before another can open.
        const staleOrResolved = sent.filter(
          (e) => e.event === 'stale' || (e.event === 'resolved' && !e.source),
        );
        const stale = new Map<string, boolean>();
        for (const event of staleOrResolved) {
          const uid = event.subject.uid;
          if (event.event === 'stale') expect(stale.get(uid), 'stale twice at once').not.toBe(true);
          stale.set(uid, event.event === 'stale');
        }
        alternate(sent, 'schedule-disabled', 'schedule-enabled');
        // Long after the last run nothing runs, every long run has ended; but for a session the EM still shows in a
        // state that is neither running nor final: it has not ended, and it is long.
        const last = new Map(tl.runs.map((run) => [run.session.jobUid, run.session]));
        const stuck = [...last.values()].filter((s) => !isFinal(s)).map((s) => s.jobUid);
        for (const uid of alternate(sent, 'long-run', 'long-run-ended')) expect(stuck).toContain(uid);
      }),
      { numRuns: 300 },
    );
  });

  it('under a silence or maintenance window: no notice while held, the first after it says so, the same ones alternate and are left open', () => {
    fc.assert(
      fc.property(timeline, schedule, sayings, holdSpec, (tl, steps, says, spec) => {
        const estate = estateOf(tl, says);
        const span = steps.reduce((sum, s) => sum + s.step, 0);
        const unheld = playPolls({ steps, end: tl.end, config: estate.config, read: estate.read });
        const plain = unheld.sent;
        const noticed = unheld.polls.filter((poll) => poll.events.some(isNotice)).map((poll) => poll.now);
        const { silences, maintenance } = holdOf(spec, span, noticed);
        const config = { ...estate.config, maintenance };
        const held = playPolls({ steps, end: tl.end, config, read: estate.read, silences });
        const sent = held.sent;
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
        let before = new Map<string, SubjectState>();
        for (const poll of held.polls) {
          for (const event of poll.events.filter(isNotice)) {
            const key = [...poll.states.values()].find((s) => s.uid === event.subject.uid)?.key ?? '';
            expect(poll.states.get(key)?.silenced, `${event.event} sent while held`).toBeUndefined();
            if (before.get(key)?.silenced) expect(event.afterSilence, 'sent after a hold').toBeDefined();
          }
          before = poll.states;
        }
        for (const [open, close] of NOTICES) {
          const left = alternate(sent, open, close);
          // Unless the weekly window is open again at the last poll, long after: then it holds what is open.
          const last = held.polls.at(-1);
          const holding = last && [...last.states.values()].some((s) => s.silenced);
          if (!holding) expect(left).toEqual(alternate(plain, open, close));
        }
      }),
      { numRuns: 300 },
    );
  });
});
