// EM timestamps: UTC, ending in `Z`, with 0 to 7 fractional digits (`2021-06-15T22:11:06.11Z`,
// `2025-08-16T05:17:38.22142Z`). `Date.parse` is not specified for more than 3 digits, so parse explicitly.

import { MINUTE } from '../duration.ts';

const EM_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/** Parses an EM timestamp to an ISO-8601 UTC string with millisecond precision, or null if it is not one. */
export function parseEmTime(text: string): string | null {
  const m = EM_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Set field by field: Date.UTC maps years 0 to 99 to 1900-1999 (.NET's DateTime.MinValue is year 1).
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  // Reject impossible times (month 13, February 30, 24:00, second 60) instead of letting Date roll them over.
  const exact =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!exact || hour > 23 || minute > 59 || second > 59) return null;
  if (zone === 'Z') return date.toISOString();
  const [zh, zm] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  if (zh > 14 || zm > 59) return null;
  const sign = zone.startsWith('-') ? -1 : 1;
  return new Date(date.getTime() - sign * (zh * 60 + zm) * MINUTE).toISOString();
}

/** Formats a time for an EM filter: UTC, whole seconds, `Z` (the documented form). */
export function formatFilterTime(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime()))
    throw new RangeError(`Not a valid time for an EM filter: ${String(time)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
