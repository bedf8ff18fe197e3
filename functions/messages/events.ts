// The `events` channel: the versioned JSON event itself, kept under SNS's limit whatever it holds (names and
// reasons cut with a marker, then VMs dropped from the end and counted in `vmsOmitted`).

import { type AlertEvent, cutText } from '../alerts/event.ts';
import { attributesOf } from './attributes.ts';
import { eventsHints, hintsOf } from './hints.ts';
import { BODY_BUDGET_BYTES, EVENTS_FIELD_CHARS } from './limits.ts';
import { utf8Bytes } from './text.ts';
import type { Rendered, RenderOptions } from './types.ts';

export function renderEvents(event: AlertEvent, options: RenderOptions): Rendered {
  const { group } = options;
  // Additions to version 1: `group`, the grouped message the people channels sent this event in, after `id`;
  // `hints`, last, when any matched (messages/hints.ts).
  const hints = eventsHints(hintsOf(event, options));
  const json = ({ version, id, ...rest }: AlertEvent) =>
    JSON.stringify({ version, id, ...(group ? { group } : {}), ...rest, ...(hints.length ? { hints } : {}) });
  let message = '';
  for (const max of EVENTS_FIELD_CHARS) {
    const bounded = bound(event, max);
    message = json(bounded);
    while (utf8Bytes(message) > BODY_BUDGET_BYTES && bounded.vms?.length) {
      const drop = Math.max(1, Math.ceil(bounded.vms.length / 4));
      bounded.vms = bounded.vms.slice(0, -drop);
      bounded.vmsOmitted = (bounded.vmsOmitted ?? 0) + drop;
      message = json(bounded);
    }
    if (utf8Bytes(message) <= BODY_BUDGET_BYTES) break;
  }
  return { message, attributes: attributesOf(event) };
}

function bound(event: AlertEvent, max: number): AlertEvent {
  const text = (s: string) => cutText(s, max);
  const maybe = (s: string | null) => (s === null ? null : text(s));
  return {
    ...event,
    subject: {
      ...event.subject,
      name: text(event.subject.name),
      backupServer: maybe(event.subject.backupServer),
      enterpriseManager: text(event.subject.enterpriseManager),
    },
    session: event.session && {
      ...event.session,
      name: text(event.session.name),
      result: text(event.session.result),
      state: text(event.session.state),
      failureMessage: maybe(event.session.failureMessage),
    },
    ...(event.vms && {
      vms: event.vms.map((vm) => ({
        name: text(vm.name),
        result: text(vm.result),
        state: text(vm.state),
        reason: maybe(vm.reason),
      })),
    }),
    ...(event.source && {
      source: {
        ...event.source,
        cause: event.source.cause && { ...event.source.cause, message: text(event.source.cause.message) },
      },
    }),
  };
}
