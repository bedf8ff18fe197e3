// Maintenance windows (settings `maintenance`): weekly hours, in a time zone, during which the subjects a window
// matches are held as by a silence. An open window is a silence for the engine, ending when the window closes.

import { MINUTE } from '../duration.ts';
import { DAYS, type MaintenanceWindow } from './settings.ts';
import type { Silence } from './silence.ts';

const WEEK_MINUTES = 7 * 24 * 60;
/** The ids of the silences maintenance windows make: `maintenance:<name>`. */
export const MAINTENANCE_PREFIX = 'maintenance:';

/** The windows open at `now`, as silences from the minute they opened to the minute they close. */
export function openWindows(windows: readonly MaintenanceWindow[], now: string, timeZone: string): Silence[] {
  const nowMs = Math.floor(Date.parse(now) / MINUTE) * MINUTE;
  return windows.flatMap((window) => {
    const week = minuteOfWeek(nowMs, window.timeZone ?? timeZone);
    const [hours = 0, minutes = 0] = window.start.split(':').map(Number);
    const open = window.days
      .map((day) => (week - (DAYS.indexOf(day) * 1440 + hours * 60 + minutes) + WEEK_MINUTES) % WEEK_MINUTES)
      .filter((elapsed) => elapsed < window.duration);
    if (!open.length) return [];
    const from = nowMs - Math.max(...open) * MINUTE; // overlapping days: the window opened at the earliest
    return [
      {
        id: `${MAINTENANCE_PREFIX}${window.name}`,
        job: window.job ?? null,
        server: window.server ?? null,
        em: window.em ?? null,
        from: new Date(from).toISOString(),
        until: new Date(nowMs + (window.duration - Math.min(...open)) * MINUTE).toISOString(),
        untilResolved: false,
        reason: `maintenance window "${window.name}"`,
        by: null,
      },
    ];
  });
}

/** Minutes since Monday 00:00 on the wall clock of `timeZone`. */
function minuteOfWeek(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS.indexOf(part('weekday') as (typeof DAYS)[number]);
  return day * 1440 + Number(part('hour')) * 60 + Number(part('minute'));
}
