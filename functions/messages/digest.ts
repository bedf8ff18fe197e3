// The morning digest: one EM's estate at a glance, built from what the engine stored per subject and the silences
// in force: what is failing (since when, how many runs), running far longer than usual, held by a silence or
// maintenance window, disabled, quiet for a day, and healthy. Informational only: built afresh each time, it keeps
// no state and is never deduplicated.

import { eventSubject } from '../alerts/emit.ts';
import {
  type AlertSeverity,
  cutText,
  EVENT_TEXT_CHARS,
  type EventSession,
  eventId,
} from '../alerts/event.ts';
import { openWindows } from '../alerts/maintenance.ts';
import { subjectFilter } from '../alerts/patterns.ts';
import { endOf, ms } from '../alerts/runs.ts';
import { isDisabled, isManual } from '../alerts/schedule.ts';
import type { Settings } from '../alerts/settings.ts';
import { inForce, matches, type Silence } from '../alerts/silence.ts';
import type { JobState, ScheduleState, SourceState, SubjectState } from '../alerts/state.ts';
import { DAY, HOUR } from '../duration.ts';

/**
 * Each job or policy has one (see statusOf); they are counted and listed in this order, failing first. A long run
 * comes right after the open alerts: it needs someone now, as they do, though nothing failed yet.
 */
export const DIGEST_STATUSES = [
  'failing',
  'warning',
  'stale',
  'long-run',
  'silenced',
  'disabled',
  'quiet',
  'healthy',
] as const;
export type DigestStatus = (typeof DIGEST_STATUSES)[number];
/** The statuses of an open alert. */
export const OPEN_STATUSES: readonly DigestStatus[] = ['failing', 'warning', 'stale'];

/**
 * A job's last run ended longer ago than this, and none is running: `quiet`. A CDP policy's session runs for a day,
 * so the one before the running one may have ended a day ago: a policy gets two hours more.
 */
export const QUIET_AFTER_MS = { 'replica-job': DAY, 'cdp-policy': DAY + 2 * HOUR } as const;

export interface DigestItem {
  status: DigestStatus;
  kind: 'replica-job' | 'cdp-policy';
  uid: string;
  name: string;
  backupServer: string | null;
  /** The latest finished run, whatever its result. */
  lastRun: Pick<EventSession, 'uid' | 'result' | 'creationTime' | 'endTime'> | null;
  /** The start of the session running now. */
  runningSince: string | null;
  /** A `long-run` notice is out about the session running now: when that started, and when the notice went out. */
  longRun: { startedAt: string; noticeSince: string | null } | null;
  /**
   * An open alert (severity null: only stale), or a failure held for Veeam's retry (`retrying`): since when, and
   * how many runs failed.
   */
  alert: { severity: AlertSeverity | null; since: string; failedRuns: number; retrying: boolean } | null;
  /** The silence or open maintenance window holding it; `until` null when the last poll's hold is all that is known. */
  heldBy: { id: string; reason: string; by: string | null; until: string | null } | null;
  /** As the EM last said it; null when it did not. */
  schedule: ScheduleState | null;
}

export interface DigestSource {
  /** The latest poll counted, successful or not. */
  lastPollAt: string | null;
  /** Polls in a row that failed (0: the last one read the EM), since when, and the last one's cause. */
  failedPolls: number;
  failingSince: string | null;
  cause: { kind: string; message: string } | null;
}

export interface Digest {
  /** 32 hex digits over the EM and `generatedAt`. */
  id: string;
  enterpriseManager: string;
  generatedAt: string;
  /** The EM's own polls; null when it was never polled. */
  source: DigestSource | null;
  counts: Record<DigestStatus, number>;
  /** Every job and policy watched on the EM, by status (in DIGEST_STATUSES order), then by name. */
  items: DigestItem[];
}

export interface DigestInput {
  em: string;
  now: string;
  /** The EM's stored subject states (other EMs' are ignored). */
  states: readonly SubjectState[];
  /** The stored silences (any EM, any time: those in force now apply). */
  silences: readonly Silence[];
  settings: Settings;
}

const cut = (text: string) => cutText(text, EVENT_TEXT_CHARS);

export function buildDigest({ em, now, states, silences, settings }: DigestInput): Digest {
  const source = states.find((s): s is SourceState => s.kind === 'enterprise-manager' && s.em === em);
  // The holds the next poll would apply: silences in force (less those already resolved here) and open windows.
  const holding = [
    ...inForce(silences, now, source?.resolvedSilences ?? []),
    ...openWindows(settings.maintenance, now, settings.timeZone),
  ];
  const watched = subjectFilter(settings);
  const items = states
    .filter(
      (s): s is JobState =>
        s.kind !== 'enterprise-manager' &&
        s.em === em &&
        watched(s) &&
        (s.kind !== 'cdp-policy' || settings.cdp),
    )
    .map((state) => itemOf(state, holding, ms(now)))
    .sort(
      (a, b) =>
        DIGEST_STATUSES.indexOf(a.status) - DIGEST_STATUSES.indexOf(b.status) ||
        a.name.localeCompare(b.name) ||
        a.uid.localeCompare(b.uid),
    );
  const counts = Object.fromEntries(
    DIGEST_STATUSES.map((status) => [status, items.filter((item) => item.status === status).length]),
  ) as Record<DigestStatus, number>;
  return {
    id: eventId([em, 'digest', now]),
    enterpriseManager: cut(em),
    generatedAt: now,
    source: source ? sourceOf(source) : null,
    counts,
    items,
  };
}

function itemOf(state: JobState, holding: readonly Silence[], nowMs: number): DigestItem {
  const alert = alertOf(state);
  const heldBy = heldByOf(state, holding);
  const { lastRun, running, schedule, longRun } = state;
  return {
    status: statusOf(state, { alert, heldBy }, nowMs),
    kind: state.kind,
    uid: state.uid,
    name: state.name,
    backupServer: state.backupServer,
    lastRun: lastRun && {
      uid: lastRun.uid,
      result: lastRun.result,
      creationTime: lastRun.creationTime,
      endTime: lastRun.endTime,
    },
    runningSince: running?.creationTime ?? null,
    longRun: longRun ? { startedAt: longRun.startedAt, noticeSince: sentSince(state, longRun) } : null,
    alert,
    heldBy,
    schedule: schedule
      ? { configured: schedule.configured, enabled: schedule.enabled, nextRun: schedule.nextRun }
      : null,
  };
}

/**
 * A hold first (what it holds is someone's business already), then an open alert, then a long run (its notice still
 * out: `long-run-ended` clears it), then what the EM says.
 */
function statusOf(
  state: JobState,
  { alert, heldBy }: Pick<DigestItem, 'alert' | 'heldBy'>,
  nowMs: number,
): DigestStatus {
  if (heldBy) return 'silenced';
  if (alert)
    return alert.severity === 'Failed' ? 'failing' : alert.severity === 'Warning' ? 'warning' : 'stale';
  if (state.longRun) return 'long-run';
  if (isDisabled(state.schedule)) return 'disabled';
  // A job run by hand, or one whose first run has not finished, has not stopped.
  const { lastRun } = state;
  const quiet =
    !state.running &&
    !isManual(state.schedule) &&
    lastRun !== null &&
    ms(endOf(lastRun)) < nowMs - QUIET_AFTER_MS[state.kind];
  return quiet ? 'quiet' : 'healthy';
}

/** The alert people were told of; else a failure still held for Veeam's retry (not sent yet); else a stale one. */
function alertOf({ alert, hold }: JobState): DigestItem['alert'] {
  if (alert?.severity)
    return { severity: alert.severity, since: alert.since, failedRuns: alert.failedRuns, retrying: false };
  if (hold)
    return { severity: hold.severity, since: hold.since, failedRuns: hold.failedRuns, retrying: true };
  return alert && { severity: null, since: alert.since, failedRuns: 0, retrying: false };
}

/** When the long-run notice went out; null while a silence holds it back (alerts/silence.ts). */
function sentSince(state: JobState, longRun: NonNullable<JobState['longRun']>): string | null {
  const held = state.silenced?.notices?.some(
    (notice) => notice.event === 'long-run' && notice.longRun?.sessionUid === longRun.uid,
  );
  return held ? null : longRun.since;
}

/** A silence or window in force that matches it, else the hold the last poll recorded (its end not known here). */
function heldByOf(state: JobState, holding: readonly Silence[]): DigestItem['heldBy'] {
  const silence = holding.find((s) => matches(s, eventSubject(state)));
  const held = silence ?? state.silenced;
  if (!held) return null;
  return {
    id: cut(held.id),
    reason: cut(held.reason),
    by: held.by === null ? null : cut(held.by),
    until: silence?.until ?? null,
  };
}

function sourceOf(source: SourceState): DigestSource {
  const { lastPollAt, failedPolls, firstFailedAt, cause } = source;
  return { lastPollAt, failedPolls, failingSince: firstFailedAt, cause };
}
