// The Enterprise Manager itself as a subject: unreachable after N consecutive failed polls, resolved by the
// next successful one. A poll at or before the last one counted (a repeat after a crash, or the clock stepping
// back) changes nothing.

import { buildEvent, eventSubject } from './emit.ts';
import { type AlertEvent, cutText, EVENT_TEXT_CHARS } from './event.ts';
import { ms } from './runs.ts';
import type { Settings } from './settings.ts';
import { type SourceState, STATE_VERSION, subjectKey } from './state.ts';

/** How polling the EM went; `kind` and `message` come from the EM client's typed error. */
export type PollOutcome = { ok: true } | { ok: false; error: { kind: string; message: string } };

export interface SourceStep {
  prev: SourceState | undefined;
  em: string;
  outcome: PollOutcome;
  now: string;
  settings: Settings;
}

export function stepSource({ prev, em, outcome, now, settings }: SourceStep): {
  state: SourceState;
  events: AlertEvent[];
} {
  const state: SourceState = prev ? structuredClone(prev) : freshSource(em);
  if (state.lastPollAt !== null && !(ms(now) > ms(state.lastPollAt))) return { state, events: [] };
  state.lastPollAt = now;
  const subject = eventSubject(state);
  const events: AlertEvent[] = [];
  /** The unreachable notice and its all-clear differ only in kind and severity. */
  const notice = (
    event: 'source-unreachable' | 'resolved',
    severity: 'Failed' | 'Success',
    firstFailedAt: string,
  ) =>
    buildEvent(subject, now, {
      event,
      severity,
      alertSeverity: 'Failed',
      trigger: [firstFailedAt],
      run: null,
      failingSince: firstFailedAt,
      failedRuns: null,
      source: { failedPolls: state.failedPolls, cause: state.cause },
    });
  if (outcome.ok) {
    if (state.open && state.firstFailedAt) events.push(notice('resolved', 'Success', state.firstFailedAt));
    Object.assign(state, { failedPolls: 0, firstFailedAt: null, cause: null, open: false });
    return { state, events };
  }
  state.failedPolls++;
  state.firstFailedAt ??= now;
  state.cause = { kind: outcome.error.kind, message: cutText(outcome.error.message, EVENT_TEXT_CHARS) };
  if (!state.open && state.failedPolls >= settings.unreachableAfter) {
    state.open = true;
    events.push(notice('source-unreachable', 'Failed', state.firstFailedAt));
  }
  return { state, events };
}

export function freshSource(em: string): SourceState {
  return {
    version: STATE_VERSION,
    key: subjectKey(em, 'enterprise-manager', em),
    kind: 'enterprise-manager',
    em,
    uid: em,
    name: em,
    lastPollAt: null,
    failedPolls: 0,
    firstFailedAt: null,
    cause: null,
    open: false,
    expiresAt: null,
  };
}
