// Text hygiene for anything the EM wrote: no control characters breaking a layout, bounded lengths, cut on
// code points (never half a character). Long text is cut by the events' own cutter, with its one marker; `clip`
// only fits short one-line fields (names, subjects, SMS) into a width.

import { cutText } from '../alerts/event.ts';

// Controls (C0, C1, DEL), line/paragraph separators and bidi overrides (which could reorder what a reader sees).
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]+/gu;

/** One line: controls and newlines become a space, runs of whitespace collapse. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** One line of at most `max` code points; a megabyte input is cut before it is cleaned. */
export function line(text: string, max: number): string {
  const head =
    text.length > 4 * max + 64 ? text.slice(0, 4 * max + 64).replace(/[\uD800-\uDBFF]$/, '') : text;
  return clip(oneLine(head), max);
}

/** Keeps line breaks (normalised to \n), turns every other control into a space, drops trailing blanks. */
function multiLine(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(CONTROL, ' ').trimEnd())
    .join('\n')
    .trim();
}

/** At most `max` code points; a cut text ends with `marker` (counted within `max`). */
export function clip(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const room = Math.max(0, max - Array.from(marker).length);
  return chars.slice(0, room).join('') + marker;
}

/**
 * `before + name + after` in at most `max` code points: the name gives way first (down to `least`, cut with
 * `marker`), then the whole line. What to say stays whole; the name is what the reader can look up.
 */
export function fitName(
  parts: { before: string; name: string; after: string },
  max: number,
  marker: string,
  least = 8,
): string {
  const { before, name, after } = parts;
  const room = Math.max(least, max - Array.from(before + after).length);
  return clip(`${before}${clip(name, room, marker)}${after}`, max, marker);
}

/** The code points `fitName` keeps for `after` once the name has given way as far as it may. */
export const roomAfterName = (before: string, name: string, max: number, least = 8): number =>
  max - Array.from(before).length - Math.min(Array.from(name).length, least);

/**
 * `items` joined with `, ` in at most `room` code points: those that fit whole, then `...`. The first is always
 * kept, so that a cut falls between items and never inside one (a count cut short would read as another number).
 */
export function listWithin(items: readonly string[], room: number): string {
  const joined = (n: number) => [...items.slice(0, n), ...(n < items.length ? ['...'] : [])].join(', ');
  let shown = items.length;
  while (shown > 1 && Array.from(joined(shown)).length > room) shown--;
  return joined(shown);
}

/** Several lines of at most `max` code points, for reasons and messages; a longer text is cut with the marker. */
export function block(text: string, max: number): string {
  return multiLine(cutText(text, max));
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
