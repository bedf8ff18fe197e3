// The JSON event: the machine contract every channel renders from and the `events` topic publishes as is.
// Version 1. Times are ISO-8601 UTC; names and reasons are exactly as the EM gave them (text longer than
// EVENT_TEXT_CHARS is cut with a marker, and at most MAX_EVENT_VMS VMs within EVENT_VMS_BYTES are listed, so every
// event stays below SNS's 256 KiB). Fields that do not apply are null or absent, never invented.

import { createHash } from 'node:crypto';

export const EVENT_VERSION = 1;

export type EventKind =
  | 'failure'
  | 'reminder'
  | 'resolved'
  | 'stale'
  | 'source-unreachable'
  | 'schedule-disabled'
  | 'schedule-enabled'
  | 'long-run'
  | 'long-run-ended';
export type AlertSeverity = 'Failed' | 'Warning';
export type Severity = AlertSeverity | 'Success';
export type SubjectKind = 'replica-job' | 'cdp-policy' | 'enterprise-manager';

export interface EventSubject {
  kind: SubjectKind;
  /** `JobUid`, `PolicyUid`, or the EM's configured name. */
  uid: string;
  name: string;
  backupServer: string | null;
  /** The configured name of the EM the subject was seen through. */
  enterpriseManager: string;
}

export interface EventSession {
  uid: string;
  name: string;
  result: string;
  state: string;
  isRetry: boolean;
  /** Consecutive retry sessions up to and including this one (0 when it is not a retry). */
  retries: number;
  creationTime: string;
  endTime: string | null;
  failureMessage: string | null;
}

export interface EventVm {
  name: string;
  result: string;
  state: string;
  reason: string | null;
}

export interface EventCounts {
  total: number;
  failed: number;
  warning: number;
  success: number;
}

export interface AfterSilence {
  /** The silence's id, or `maintenance:<name>` for a maintenance window. */
  id: string;
  reason: string;
  by: string | null;
  /** When the hold of this subject began; nothing about it was sent since. */
  heldSince: string;
}

export interface AlertEvent {
  version: typeof EVENT_VERSION;
  /** Deterministic: the same subject, triggering session, kind (and severity) always give the same id. */
  id: string;
  event: EventKind;
  /** Success for `resolved`; otherwise the severity of what is reported. */
  severity: Severity;
  /** The severity of the alert this event belongs to, also on `resolved`: lets an SMS filter get its all-clear. */
  alertSeverity: AlertSeverity;
  /** The poll instant that decided the event. */
  detectedAt: string;
  subject: EventSubject;
  /** The run the event is about: the failed run, the run that resolved, the last run before going stale. */
  session: EventSession | null;
  /**
   * VMs of `session` that did not succeed (failed first), at most MAX_EVENT_VMS within EVENT_VMS_BYTES of JSON;
   * `vmsOmitted` says how many more.
   * Absent where VMs do not apply or are not known: Enterprise Manager events and `stale`.
   */
  vms?: EventVm[];
  vmsOmitted?: number;
  counts: EventCounts | null;
  /** When the open alert began: the end of the first failed run, the moment a job became overdue, the first failed poll. */
  failingSince: string | null;
  /** Consecutive failed runs of the open alert (retries included). */
  failedRuns: number | null;
  /** `stale` only: the last finished run and the threshold that was exceeded. */
  stale?: {
    lastRunEnd: string;
    thresholdMinutes: number;
    basis: 'median' | 'few-runs' | 'configured' | 'schedule';
    /** `schedule` only: when the run the EM scheduled was due (its `NextRun`); none started since. */
    dueAt?: string;
  };
  /**
   * Events about a CDP policy: its configured RPO (`null` until the schedules could be read) and whether the run's
   * words say it was breached.
   */
  rpo?: { seconds: number | null; breached: boolean };
  /** `long-run` and `long-run-ended` only: the run, how long it has run, and what made that too long. */
  longRun?: {
    sessionUid: string;
    startedAt: string;
    runningMinutes: number;
    limitMinutes: number;
    /** The median of the job's recent finished runs; null when too few are known. */
    usualMinutes: number | null;
    basis: 'median' | 'configured';
  };
  /** `schedule-disabled` and `schedule-enabled` only: the schedule as the EM says it now. */
  schedule?: { enabled: boolean; nextRun: string | null };
  /**
   * `reminder` only, when no run finished or is running since the previous notice, for longer than the job's stale
   * threshold: the end of the last run, since when nothing finished. The job may have stopped running.
   */
  quietSince?: string;
  /** The first events after a silence or maintenance window held the subject: which one, and since when. */
  afterSilence?: AfterSilence;
  /** `source-unreachable` (and its `resolved`) only. */
  source?: { failedPolls: number; cause: { kind: string; message: string } | null };
}

/** VMs an event lists: as many as the e-mail shows. */
export const MAX_EVENT_VMS = 200;
/**
 * JSON bytes the listed VMs may take: with every other field cut, an event (an outbox item) and a subject's state
 * (which keeps one run) stay far below DynamoDB's 400 KB item limit, and the events channel under SNS's 256 KiB.
 */
export const EVENT_VMS_BYTES = 200_000;
/** Longest name, reason or message in an event, in code points. */
export const EVENT_TEXT_CHARS = 1000;

/** A stable id: 32 hex digits of SHA-256 over the parts that make an event what it is. */
export function eventId(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** UTF-16 units of the code point at `i`: a surrogate pair is never split. */
const width = (text: string, i: number) => ((text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);

/**
 * The one cutter for long text (events and every channel): at most `max` code points, then a marker that says how
 * many were cut. Walks the text once without copying it, so a reason of megabytes costs little.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (let kept = 0; kept < max && end < text.length; kept++) end += width(text, end);
  let cut = 0;
  for (let i = end; i < text.length; i += width(text, i)) cut++;
  return cut ? `${text.slice(0, end)} […cut ${cut} characters]` : text;
}
