// The plain-text e-mail's layout, shared by the message for one event and the message for a group: the subject,
// aligned fields, indented text, lists within the body budget, next steps.

import type { EventCounts } from '../alerts/event.ts';
import { asciiName } from './ascii.ts';
import { SUBJECT_MAX_CHARS } from './limits.ts';
import { fitName, oneLine, roomAfterName, utf8Bytes } from './text.ts';

/**
 * A subject around a name from the EM, e.g. `[FAILED] Replica job "` + name + `" on srv02: ...` (`before` and
 * `after` already ASCII): the name is made ASCII and shortened first, then the whole line.
 */
export const subjectWith = (before: string, name: string, after: string): string =>
  fitName({ before, name: asciiName(name), after }, SUBJECT_MAX_CHARS, '...', SUBJECT_NAME_LEAST);

/** What `subjectWith(before, name, ...)` keeps for its `after` at least. */
export const subjectRoom = (before: string, name: string): number =>
  roomAfterName(before, asciiName(name), SUBJECT_MAX_CHARS, SUBJECT_NAME_LEAST);

const SUBJECT_NAME_LEAST = 10;

/** `Key:` padded so the values line up; nothing when there is no value. */
export const fieldLines = (key: string, value: string | null | undefined): string[] =>
  value ? [`${`${key}:`.padEnd(20)}${value}`] : [];

/** The `VMs:` field's value: `5 total, 2 failed, 0 with warnings, 3 succeeded`. */
export const vmsField = (c: EventCounts | null): string | null =>
  c && `${c.total} total, ${c.failed} failed, ${c.warning} with warnings, ${c.success} succeeded`;

export const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

export const stepLines = (steps: readonly string[]): string[] =>
  steps.length ? ['', 'What to check next:', ...steps.map((s) => `  - ${oneLine(s)}`)] : [];

/** The entries of the first `items`, in order, as many as fit `budget` bytes; and how many items that was. */
export function within<T>(
  items: readonly T[],
  entry: (item: T) => string[],
  budget: number,
): { lines: string[]; shown: number } {
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const item of items) {
    const next = entry(item);
    const bytes = utf8Bytes(next.join('\n')) + 1;
    if (used + bytes > budget) break;
    lines.push(...next);
    used += bytes;
    shown++;
  }
  return { lines, shown };
}
