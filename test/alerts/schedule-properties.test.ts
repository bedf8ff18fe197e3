// Properties of the schedule-aware rules over generated timelines, poll schedules and what the EM says of each
// job's schedule from poll to poll (enabled with a NextRun anywhere around the poll, disabled, run by hand, or not
// readable): a job is never stale twice at once (a missed run is a stale alert, not a second one), and every
// notice gets exactly one all-clear, in turn, also under a silence (which holds notices back and loses none).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import type { Silence } from '../../functions/alerts/silence.ts';
import { isFinal, type Schedule } from '../../functions/em/model.ts';
import { at, jobSession, settings } from '../support/alerts-data.ts';
import { HOLD, LOOKBACK, playPolls, schedule, timeline, view } from '../support/timelines.ts';

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

const NOTICES = [
  ['schedule-disabled', 'schedule-enabled'],
  ['long-run', 'long-run-ended'],
] as const;

const held = fc.record({ from: fc.integer({ min: 0, max: 900 }), length: fc.integer({ min: 1, max: 1200 }) });
const silenceOf = ({ from, length }: { from: number; length: number }): Silence => ({
  id: 'prop',
  job: '*',
  server: null,
  em: null,
  from: at(from),
  until: at(from + length),
  untilResolved: false,
  reason: 'property',
  by: null,
});

describe('schedule properties', () => {
  it('never stale twice at once; disabled/enabled and long-run/ended alternate, each closed once', () => {
    fc.assert(
      fc.property(timeline, schedule, sayings, held, (tl, steps, says, hold) => {
        // A low limit, so that polls often see runs past it.
        const config = settings({
          retryHold: HOLD,
          lookback: LOOKBACK,
          repeat: 0,
          maxRunDuration: { '*': 15 },
        });
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
        const { sent } = playPolls({ steps, end: tl.end, config, read });
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
        // Under a silence (over before the last poll): the same notices alternate, and the same are left open.
        const silenced = playPolls({ steps, end: tl.end, config, read, silences: [silenceOf(hold)] }).sent;
        expect(new Set(silenced.map((e) => e.id)).size).toBe(silenced.length);
        for (const [open, close] of NOTICES)
          expect(alternate(silenced, open, close)).toEqual(alternate(sent, open, close));
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
});
