// The JSON event: the machine contract every channel renders from and the `events` topic publishes as is.
// Version 1. Times are ISO-8601 UTC; names and reasons are exactly as the EM gave them (long reasons are cut
// with a marker, and at most MAX_EVENT_VMS VMs are listed, so every event stays far below SNS's 256 KiB).

import { createHash } from 'node:crypto';

export const EVENT_VERSION = 1;

export type EventKind = 'failure' | 'reminder' | 'resolved' | 'stale' | 'source-unreachable';
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
  /** VMs that did not succeed (failed first), at most MAX_EVENT_VMS; `vmsOmitted` says how many more. */
  vms: EventVm[];
  vmsOmitted: number;
  counts: EventCounts | null;
  /** When the open alert began: the end of the first failed run, the moment a job became overdue, the first failed poll. */
  failingSince: string | null;
  /** Consecutive failed runs of the open alert (retries included). */
  failedRuns: number | null;
  /** `stale` only: the last finished run and the threshold that was exceeded. */
  stale?: { lastRunEnd: string; thresholdMinutes: number; basis: 'median' | 'few-runs' | 'configured' };
  /** `source-unreachable` (and its `resolved`) only. */
  source?: { failedPolls: number; cause: { kind: string; message: string } | null };
}

export const MAX_EVENT_VMS = 25;
export const MAX_REASON_CHARS = 1000;

/** A stable id: 32 hex digits of SHA-256 over the parts that make an event what it is. */
export function eventId(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** Cuts text to `max` characters (code points, never half a surrogate pair) and says how much was cut. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const marker = ` […cut ${chars.length - max} characters]`;
  return chars.slice(0, max).join('') + marker;
}
