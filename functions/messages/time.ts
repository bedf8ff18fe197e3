// Human-readable times in the configured IANA time zone, and durations.

import { MINUTE } from '../duration.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, hourCycle: 'h23', ...options });
    formats.set(key, f);
  }
  return f;
}

const parts = (date: Date, timeZone: string, options: Intl.DateTimeFormatOptions, locale = 'en-GB') =>
  Object.fromEntries(
    format(locale, timeZone, options)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );

/**
 * English locales whose CLDR data name a zone by its usual abbreviation where en-GB only gives an offset (en-US:
 * EDT, PST; en-AU: AEST; en-IN: IST; en-ZA: SAST; en-SG: SGT). Where several name a zone they agree; a zone none
 * names keeps its offset (`GMT+9`). Node's bundled ICU makes this deterministic.
 */
const ZONE_LOCALES = ['en-GB', 'en-US', 'en-AU', 'en-NZ', 'en-IN', 'en-ZA', 'en-SG'];

/** `CEST`, `EDT`, `GMT`, `UTC`, or the offset (`GMT+5:45`) where no locale has a name for the zone. */
function zoneName(date: Date, timeZone: string): string {
  let offset = '';
  for (const locale of ZONE_LOCALES) {
    const name = parts(date, timeZone, { timeZoneName: 'short' }, locale).timeZoneName ?? timeZone;
    if (!/^GMT[+-]/.test(name)) return name;
    offset ||= name;
  }
  return offset;
}

/** `Tue 17 Jun 2025 05:41 UTC` (or `07:41 CEST` in Europe/Berlin); an unparseable time is shown as given. */
export function formatTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = parts(date, timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${p.weekday} ${p.day} ${p.month} ${p.year} ${p.hour}:${p.minute} ${zoneName(date, timeZone)}`;
}

/** `05:41Z` in UTC, `07:41 CEST` elsewhere; with `withDay`, `17 Jun 05:41Z`. For SMS. */
export function shortTime(iso: string, timeZone: string, withDay = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '?';
  const p = parts(date, timeZone, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const zone = zoneName(date, timeZone);
  const time = `${p.hour}:${p.minute}${zone === 'UTC' ? 'Z' : ` ${zone}`}`;
  return withDay ? `${p.day} ${p.month} ${time}` : time;
}

/** `2 d 4 h`, `3 h 5 min`, `12 min`, `under a minute`; null when either end is missing or out of order. */
export function duration(fromIso: string | null, toIso: string | null, compact = false): string | null {
  if (!fromIso || !toIso) return null;
  const minutes = Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / MINUTE);
  return Number.isFinite(minutes) && minutes >= 0 ? span(minutes, compact) : null;
}

/** A number of minutes in words: `2 d 4 h`, `3 h 5 min`; compact: `2d4h`. */
export function span(minutes: number, compact = false): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const unit = compact ? { d: 'd', h: 'h', m: 'm', sep: '' } : { d: ' d', h: ' h', m: ' min', sep: ' ' };
  if (d) return `${d}${unit.d}${h ? `${unit.sep}${h}${unit.h}` : ''}`;
  if (h) return `${h}${unit.h}${m ? `${unit.sep}${m}${unit.m}` : ''}`;
  return m ? `${m}${unit.m}` : compact ? '<1m' : 'under a minute';
}
