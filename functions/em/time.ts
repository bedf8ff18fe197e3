// EM timestamps: UTC, ending in `Z`, with 0 to 7 fractional digits (`2021-06-15T22:11:06.11Z`,
// `2025-08-16T05:17:38.22142Z`). `Date.parse` is not specified for more than 3 digits, so parse explicitly.

const EM_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/** Parses an EM timestamp to an ISO-8601 UTC string with millisecond precision, or null if it is not one. */
export function parseEmTime(text: string): string | null {
  const m = EM_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    epoch -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const date = new Date(epoch);
  // Reject impossible dates (month 13, February 30) instead of letting Date roll them over.
  if (Number.isNaN(epoch) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1)
    return null;
  return date.toISOString();
}

/** Formats a time for an EM filter: UTC, whole seconds, `Z` (the documented form). */
export function formatFilterTime(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime()))
    throw new RangeError(`Not a valid time for an EM filter: ${String(time)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
