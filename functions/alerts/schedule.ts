// What the EM says of a job's or policy's schedule (em/schedules.ts: `query?type=Job` and `CdpPolicy`, readable
// with the role Portal Administrator), as the rules use it. A job run only by hand is never stale; a disabled one
// gets a notice of its own instead; an enabled one whose `NextRun` passed more than `missedRunGrace` ago without a
// session starting is stale at once (a missed run), earlier than the median gap would tell.

import { MINUTE } from '../duration.ts';
import type { Schedule } from '../em/model.ts';
import { ms } from './runs.ts';
import type { JobState, ScheduleState } from './state.ts';

export const scheduleState = (schedule: Schedule): ScheduleState => ({
  configured: schedule.scheduleConfigured,
  enabled: schedule.scheduleEnabled,
  nextRun: schedule.nextRun,
  ...(schedule.rpo ? { rpoSeconds: schedule.rpo.seconds } : {}),
});

export const isManual = (schedule: ScheduleState | undefined): boolean => schedule?.configured === false;

export const isDisabled = (schedule: ScheduleState | undefined): boolean =>
  schedule !== undefined && schedule.configured !== false && schedule.enabled === false;

/**
 * The `NextRun` the EM scheduled and no session started for, once `graceMinutes` have passed; null otherwise. A
 * session counts from a minute before it (the backup server's clock may be a little behind the EM's).
 */
export function missedRun(
  schedule: ScheduleState,
  state: Pick<JobState, 'running' | 'lastRun'>,
  nowMs: number,
  graceMinutes: number,
): string | null {
  const { nextRun } = schedule;
  if (schedule.configured === false || schedule.enabled !== true || !nextRun) return null;
  const due = ms(nextRun);
  if (!(nowMs > due + graceMinutes * MINUTE)) return null;
  const starts = [state.running?.creationTime, state.lastRun?.creationTime];
  return starts.some((start) => start && ms(start) >= due - MINUTE) ? null : nextRun;
}
