// The hints of an event as the channels show them (hints/match.ts finds them): the e-mail's "What to check next"
// per VM, the chat's first hint, the events channel's `hints`. Without a hint the generic steps stay as they were.

import type { AlertEvent } from '../alerts/event.ts';
import { type EventHints, eventHints, type FoundHint } from '../hints/match.ts';
import { nextSteps } from './describe.ts';
import { line } from './text.ts';
import type { RenderOptions } from './types.ts';

/** At most this many hints in a message; a text is cut to HINT_TEXT_CHARS (local entries are typed by people). */
export const MAX_SHOWN_HINTS = 10;
export const HINT_TEXT_CHARS = 300;

export const hintsOf = (event: AlertEvent, options: RenderOptions): EventHints =>
  eventHints(event, options.hints ?? []);

/** `sql-vm-01, sql-vm-03` or `the session`, on one line. */
export const forWhom = (found: FoundHint, max = HINT_TEXT_CHARS): string => line(found.for.join(', '), max);

/** The generic steps, for when no hint matched or some VMs matched none. */
export const genericSteps = (event: AlertEvent): string[] => nextSteps(event);

/** The e-mail's "What to check next", hints first; null when no hint matched (the generic list as before). */
export function hintStepLines(event: AlertEvent, hints: EventHints): string[] | null {
  if (!hints.found.length) return null;
  const text = (s: string) => line(s, HINT_TEXT_CHARS);
  const lines = ['', 'What to check next:'];
  for (const found of hints.found.slice(0, MAX_SHOWN_HINTS)) {
    const { hint } = found;
    lines.push(`  ${forWhom(found)}: ${text(hint.cause)} [${text(hint.id)}]`);
    for (const step of hint.steps) lines.push(`    - ${text(step)}`);
    lines.push(`    See ${hint.title ? `"${text(hint.title)}": ` : ''}${text(hint.url)}`);
  }
  const more = hints.found.length - MAX_SHOWN_HINTS;
  if (more > 0) lines.push(`  ...and ${more} more (replica-alerts hints "<reason>" shows a reason's hints).`);
  if (hints.unmatched.length) {
    lines.push(`  ${line(`The other VMs (${hints.unmatched.join(', ')})`, HINT_TEXT_CHARS)}:`);
    for (const step of genericSteps(event)) lines.push(`    - ${line(step, 1000)}`);
  }
  return lines;
}

/** The chat's next steps: the first hint and its link, then the generic steps if some VMs matched none. */
export function chatSteps(event: AlertEvent, hints: EventHints): string[] {
  const [first] = hints.found;
  if (!first) return genericSteps(event);
  const { hint } = first;
  const steps = [
    `${forWhom(first, 120)}: ${hint.cause}`,
    ...hint.steps,
    `See ${hint.title ? `"${hint.title}": ` : ''}${hint.url}`,
  ];
  if (hints.found.length > 1) steps.push(`${hints.found.length - 1} more hint(s) in the e-mail.`);
  if (hints.unmatched.length) steps.push(...genericSteps(event));
  return steps;
}

/** The events channel's `hints`: each once, without titles; absent when none matched (version 1 addition). */
export const eventsHints = (hints: EventHints) =>
  hints.found.slice(0, MAX_SHOWN_HINTS).map(({ hint }) => ({
    id: line(hint.id, HINT_TEXT_CHARS),
    cause: line(hint.cause, HINT_TEXT_CHARS),
    steps: hint.steps.map((step) => line(step, HINT_TEXT_CHARS)),
    url: line(hint.url, HINT_TEXT_CHARS),
  }));
