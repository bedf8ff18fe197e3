// Properties of silences over generated timelines and poll schedules: a silence holds alerts back and never loses
// one, and the state moves on under it exactly as without it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import type { JobState, SourceState, SubjectState } from '../../functions/alerts/state.ts';
import { settings } from '../support/alerts-data.ts';
import { HOLD, LOOKBACK, play, schedule, silenceOf, silenceSpec, timeline } from '../support/timelines.ts';

const isJob = (state: SubjectState): state is JobState => state.kind !== 'enterprise-manager';

/** What the alert rules make of a job, whatever was sent about it: it must not depend on silences. */
const course = (state: JobState) => ({
  mark: state.mark,
  starts: state.starts,
  lastRun: state.lastRun,
  hold: state.hold,
  alert: state.alert && {
    since: state.alert.since,
    severity: state.alert.severity,
    failedRuns: state.alert.failedRuns,
    openedBy: state.alert.openedBy,
  },
});

const jobsOf = (states: Map<string, SubjectState>) =>
  new Map([...states.values()].filter(isJob).map((state) => [state.key, course(state)]));

describe('silence properties', () => {
  it('holds back and never loses: nothing sent while held, what is open when the hold ends sent at the next read, resolved only after a message people got, state as without it', () => {
    fc.assert(
      fc.property(timeline, schedule, silenceSpec, (tl, steps, spec) => {
        const config = settings({ retryHold: HOLD, repeat: 180, lookback: LOOKBACK });
        const silence = silenceOf(spec);
        const plain = play(tl, steps, config);
        const held = play(tl, steps, config, { silences: [silence] });
        const sent = held.sent;
        expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);

        // State moves on as without the silence.
        held.polls.forEach((poll, i) => {
          expect(jobsOf(poll.states)).toEqual(jobsOf(plain.polls[i]?.states ?? new Map()));
        });

        let before = new Map<string, SubjectState>();
        for (const poll of held.polls) {
          const source = [...poll.states.values()].find((s): s is SourceState => !isJob(s));
          const holding = poll.now >= spec.from && poll.now < spec.from + spec.length;
          const endedHere = source?.resolvedSilences?.includes('prop') ?? false;
          for (const event of poll.events) {
            const wasHeld = [...before.values()].some(
              (s) => s.uid === event.subject.uid && s.silenced !== undefined,
            );
            // While held, nothing about a matched job; the poll that ends an until-resolved silence may send.
            expect(holding && !endedHere && matched(spec.every, event), 'sent while held').toBe(false);
            if (event.afterSilence) expect(wasHeld).toBe(true);
          }
          // A job held before this poll read the EM and no longer held after it: if still open, it was told now.
          if (poll.ok) {
            for (const state of poll.states.values()) {
              if (!isJob(state) || state.silenced || !before.get(state.key)?.silenced || !state.alert)
                continue;
              const told = poll.events.some((e) => e.subject.uid === state.uid && e.event !== 'resolved');
              expect(told, `${state.name} still open when its hold ended`).toBe(true);
            }
          }
          before = poll.states;
        }

        // A resolved only for an alert people were sent a message about.
        const open = new Set<string>();
        for (const event of sent) {
          if (event.event === 'resolved') {
            expect(open.has(event.subject.uid), 'resolved without a message before').toBe(true);
            open.delete(event.subject.uid);
          } else open.add(event.subject.uid);
        }
        // Long after everything, every job open without the silence is open with it, and was told.
        const last = held.polls.at(-1);
        for (const state of last?.states.values() ?? []) {
          if (isJob(state) && state.alert) expect(open.has(state.uid)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The silence names a job glob: it never holds the EM's own notices. */
const matched = (every: boolean, event: AlertEvent) =>
  event.subject.kind !== 'enterprise-manager' &&
  (every || event.subject.name.toLowerCase().startsWith('sql'));
