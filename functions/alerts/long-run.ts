// A replica job's run that goes on far longer than usual (hung on a VM, a snapshot, a slow link): one Warning while
// it runs ("running for 6 h, usually 40 min"); its end closes it, and the end's result then alerts as usual. CDP
// policy sessions run for a day by design and are left out.

import { MINUTE } from '../duration.ts';
import type { AlertEvent } from './event.ts';
import { globToRegExp } from './patterns.ts';
import { median, ms } from './runs.ts';
import type { Settings } from './settings.ts';
import type { JobState } from './state.ts';

/** Finished runs whose durations are kept, and how many make a usual duration. */
export const MAX_DURATIONS = 20;
const MIN_DURATIONS = 3;
/** The shortest limit the median gives: a job of minutes is not "long" after a quarter of an hour. */
const FLOOR_MINUTES = 30;
const TIMES_USUAL = 3;

type Limit = Pick<NonNullable<AlertEvent['longRun']>, 'limitMinutes' | 'usualMinutes' | 'basis'>;

/** How long a run of this job may take: `maxRunDuration`'s first matching glob, else 3 x its usual duration. */
export function runLimit(state: JobState, settings: Settings): Limit | null {
  const durations = state.durations ?? [];
  const usualMinutes = durations.length >= MIN_DURATIONS ? Math.round(median(durations)) : null;
  const configured = Object.entries(settings.maxRunDuration).find(([glob]) => {
    const re = globToRegExp(glob);
    return re.test(state.name) || re.test(state.uid);
  });
  if (configured) return { limitMinutes: configured[1], usualMinutes, basis: 'configured' };
  if (usualMinutes === null) return null;
  return { limitMinutes: Math.max(FLOOR_MINUTES, TIMES_USUAL * usualMinutes), usualMinutes, basis: 'median' };
}

/** Whole minutes from `startedAt` to `end`. */
export const minutesSince = (startedAt: string, end: string): number =>
  Math.max(0, Math.floor((ms(end) - ms(startedAt)) / MINUTE));

/** A `long-run` notice sent later than decided (held by a silence): how long the run has gone on by `now`. */
export const longRunAsOf = (event: AlertEvent, now: string): AlertEvent =>
  event.event === 'long-run' && event.longRun
    ? { ...event, longRun: { ...event.longRun, runningMinutes: minutesSince(event.longRun.startedAt, now) } }
    : event;

/** Adds a finished run's duration to those kept. */
export function withDuration(state: JobState, session: { creationTime: string; endTime: string | null }) {
  if (state.kind !== 'replica-job' || !session.endTime) return;
  const minutes = Math.max(0, Math.round((ms(session.endTime) - ms(session.creationTime)) / MINUTE));
  state.durations = [...(state.durations ?? []), minutes].slice(-MAX_DURATIONS);
}

/**
 * What the running session says now: a `long-run` notice once it passes its limit, a `long-run-ended` once the
 * session the notice was about is no longer running; null otherwise. Updates `state.longRun` accordingly.
 */
export function checkLongRun(
  state: JobState,
  settings: Settings,
  now: string,
): Pick<AlertEvent, 'event' | 'longRun'> | null {
  const { running, longRun } = state;
  if (longRun && running?.uid !== longRun.uid) {
    delete state.longRun;
    const limit = runLimit(state, settings);
    // Its end as the EM reported it, when this poll read it; else it is no longer reported, ended by now.
    const end = state.lastRun?.uid === longRun.uid ? (state.lastRun.endTime ?? now) : now;
    return {
      event: 'long-run-ended',
      longRun: {
        sessionUid: longRun.uid,
        startedAt: longRun.startedAt,
        runningMinutes: minutesSince(longRun.startedAt, end),
        limitMinutes: limit?.limitMinutes ?? 0,
        usualMinutes: limit?.usualMinutes ?? null,
        basis: limit?.basis ?? 'median',
      },
    };
  }
  if (state.kind !== 'replica-job' || !running || longRun) return null;
  const limit = runLimit(state, settings);
  const minutes = minutesSince(running.creationTime, now);
  if (!limit || minutes <= limit.limitMinutes) return null;
  state.longRun = { uid: running.uid, startedAt: running.creationTime, since: now };
  return {
    event: 'long-run',
    longRun: { sessionUid: running.uid, startedAt: running.creationTime, runningMinutes: minutes, ...limit },
  };
}
