// Silences (stored by `replica-alerts silence add`) and maintenance windows (settings): while one matches a subject,
// nothing about it is sent on any channel, but its state moves on as usual. When the subject is no longer held and
// is still failing, one message says so; an alert people were told of that resolved meanwhile gets its resolved
// then. Notices (schedule disabled, long run) go the same way: one still open is sent, the all-clear of one people
// were told of is sent, one that opened and closed while held is not. A silence can hold an alert back, never lose
// one.

import { buildEvent, type EventParts, eventSubject } from './emit.ts';
import {
  type AfterSilence,
  type AlertEvent,
  cutText,
  EVENT_TEXT_CHARS,
  type EventKind,
  type EventSubject,
} from './event.ts';
import { longRunAsOf } from './long-run.ts';
import { globToRegExp } from './patterns.ts';
import { endOf } from './runs.ts';
import type { Settings } from './settings.ts';
import { staleThreshold } from './stale.ts';
import type { SilenceMarker, SubjectState } from './state.ts';

/** A silence as stored, or a maintenance window while it is open. */
export interface Silence {
  id: string;
  /** Glob (`*`, `?`) over job and policy names and uids; null: every subject, the EM itself included. */
  job: string | null;
  /** Glob over backup server names; null: any. */
  server: string | null;
  /** An EM's configured name (case-insensitive); null: any. */
  em: string | null;
  /** ISO-8601 UTC: held from then until `until` (exclusive). */
  from: string;
  until: string;
  /** Ends earlier, on an EM, at the first poll after which nothing it matches there is failing. */
  untilResolved: boolean;
  reason: string;
  by: string | null;
}

export function matches(silence: Silence, subject: EventSubject): boolean {
  const em = subject.enterpriseManager;
  if (silence.em !== null && silence.em.toLowerCase() !== em.toLowerCase()) return false;
  if (subject.kind === 'enterprise-manager') return silence.job === null && silence.server === null;
  if (silence.server !== null && !globToRegExp(silence.server).test(subject.backupServer ?? '')) return false;
  if (silence.job === null) return true;
  const job = globToRegExp(silence.job);
  return job.test(subject.name) || job.test(subject.uid);
}

/** Silences in force at `now`, less the until-resolved ones that already ended on this EM. */
export function inForce(silences: readonly Silence[], now: string, endedHere: readonly string[]): Silence[] {
  return silences.filter((s) => s.from <= now && now < s.until && !endedHere.includes(s.id));
}

/** Something about the subject is still to be told or resolved: an open alert, a held failure, an EM down. */
export function isOpen(state: SubjectState | undefined): boolean {
  if (!state) return false;
  return state.kind === 'enterprise-manager' ? state.open : state.alert !== null || state.hold !== null;
}

/** Whether people were told of the alert open in `state` (an EM's notice, a failure or stale sent). */
const told = (state: SubjectState | undefined): boolean =>
  state?.kind === 'enterprise-manager' ? state.open : Boolean(state?.alert);

/** Notice kinds, each all-clear with the notice it closes. */
const CLOSES: Partial<Record<EventKind, EventKind>> = {
  'schedule-enabled': 'schedule-disabled',
  'long-run-ended': 'long-run',
};
/** A notice (a schedule disabled or enabled again, a run gone long or ended), as opposed to an alert's events. */
export const isNotice = (event: AlertEvent): boolean =>
  event.event in CLOSES || Object.values(CLOSES).includes(event.event);

/**
 * Adds a notice to those held, or takes out the one it closes when that was held too (never told, never is). A
 * long run's end closes the notice about that session; a schedule's all-clear the one disabled notice open.
 */
function holdNotice(held: readonly AlertEvent[], event: AlertEvent): AlertEvent[] {
  const opens = CLOSES[event.event];
  const closes = (h: AlertEvent) =>
    h.event === opens && (opens !== 'long-run' || h.longRun?.sessionUid === event.longRun?.sessionUid);
  const at = opens ? held.findIndex(closes) : -1;
  return at >= 0 ? held.filter((_, i) => i !== at) : [...held, event];
}

interface HushContext {
  now: string;
  settings: Settings;
}

/**
 * Applies the silence holding a subject (or none) to what the engine decided for it: the events held back while
 * it holds, and when it no longer does, the resolved owed and a notice if the subject is still failing.
 */
export function hush<S extends SubjectState>(
  prev: S | undefined,
  step: { state: S; events: AlertEvent[] },
  silence: Silence | undefined,
  ctx: HushContext,
): { state: S; events: AlertEvent[] } {
  const marker = prev?.silenced;
  if (silence) {
    const cut = (text: string) => cutText(text, EVENT_TEXT_CHARS); // they go into events, bounded like any text
    const next: SilenceMarker = {
      ...(marker ?? { since: ctx.now, told: told(prev) }),
      id: cut(silence.id),
      reason: cut(silence.reason),
      by: silence.by === null ? null : cut(silence.by),
    };
    for (const event of step.events) {
      if (event.event === 'resolved' && next.told) Object.assign(next, { resolved: event, told: false });
      if (isNotice(event)) next.notices = holdNotice(next.notices ?? [], event);
    }
    if (next.notices?.length === 0) delete next.notices;
    return { state: { ...step.state, silenced: next }, events: [] };
  }
  if (!marker) return step;
  const state = { ...step.state };
  delete state.silenced;
  const after: AfterSilence = {
    id: marker.id,
    reason: marker.reason,
    by: marker.by,
    heldSince: marker.since,
  };
  // An alert that opened while held and resolves now was never told: its resolved is not sent either.
  let untold = !marker.told && told(prev);
  let notices = marker.notices ?? [];
  const events: AlertEvent[] = [];
  for (const event of step.events) {
    if (event.event === 'resolved' && untold) untold = false;
    else if (isNotice(event)) notices = holdNotice(notices, event);
    else events.push(event);
  }
  const says = events.some((event) => event.event !== 'resolved');
  const notice = isOpen(state) && !says ? stillFailing(state, marker, ctx) : null;
  const owed = [
    ...(marker.resolved ? [marker.resolved] : []),
    ...notices.map((notice) => longRunAsOf(notice, ctx.now)), // those left are open: as of now
    ...events,
    ...(notice ? [buildEvent(eventSubject(state), ctx.now, notice)] : []),
  ];
  return { state, events: owed.map((event) => ({ ...event, afterSilence: after })) };
}

/** The message a subject still failing gets when its hold ends; its state counts it as a notice sent. */
function stillFailing(state: SubjectState, marker: SilenceMarker, ctx: HushContext): EventParts | null {
  const trigger = ['silence', marker.id, marker.since];
  if (state.kind === 'enterprise-manager') {
    if (!state.firstFailedAt) return null;
    return {
      event: 'source-unreachable',
      severity: 'Failed',
      alertSeverity: 'Failed',
      trigger: [state.firstFailedAt, ...trigger],
      run: null,
      failingSince: state.firstFailedAt,
      failedRuns: null,
      source: { failedPolls: state.failedPolls, cause: state.cause },
    };
  }
  const { alert, lastRun } = state;
  if (!alert) return null; // a failure still held for its retries is sent when its hold ends
  if (alert.severity) {
    Object.assign(alert, { notifiedAt: ctx.now, notifiedRuns: alert.failedRuns });
    return {
      event: marker.told ? 'reminder' : 'failure',
      severity: alert.severity,
      alertSeverity: alert.severity,
      trigger: [alert.openedBy, ...trigger],
      run: alert.last,
      failingSince: alert.since,
      failedRuns: alert.failedRuns,
    };
  }
  const threshold = staleThreshold(state, ctx.settings);
  if (!lastRun || !threshold) return null;
  return {
    event: 'stale',
    severity: 'Warning',
    alertSeverity: 'Warning',
    trigger: [lastRun.uid, ...trigger],
    run: null,
    session: lastRun,
    failingSince: alert.since,
    failedRuns: null,
    stale: { lastRunEnd: endOf(lastRun), thresholdMinutes: threshold.minutes, basis: threshold.basis },
  };
}

/**
 * The until-resolved silences in force that end on this EM with this poll: nothing they match is open after it.
 * `states` are every subject's states after the poll.
 */
export function resolvedNow(silences: readonly Silence[], states: readonly SubjectState[]): string[] {
  return silences
    .filter((s) => s.untilResolved && !states.some((st) => isOpen(st) && matches(s, eventSubject(st))))
    .map((s) => s.id);
}
