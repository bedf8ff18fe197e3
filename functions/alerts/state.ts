// What the engine remembers per subject between polls: plain JSON, one DynamoDB item per subject, bounded
// (at most MAX_STARTS run start times, one run with its VMs bounded as in events, a few cut names and scalars;
// under a silence, one resolved and at most four notices, none with VMs).

import type { AlertEvent, AlertSeverity, EventCounts, EventSession, EventVm, SubjectKind } from './event.ts';

export const STATE_VERSION = 1;
/** Run start times kept for the median gap. */
export const MAX_STARTS = 20;

/** A run as events show it, with its VMs already bounded. */
export interface RunSummary {
  session: EventSession;
  vms: EventVm[];
  vmsOmitted: number;
  counts: EventCounts | null;
}

/** Failed runs held while a retry may still recover them (a retry chain). */
export interface Hold {
  /** End of the chain's first failed run: the alert's start if it is sent. */
  since: string;
  /** The chain's latest failed run: the one the event reports. */
  last: RunSummary;
  /** When it ended (for CDP: when the VM sync ended): the hold runs from here. */
  at: string;
  /** The observation that last moved the hold: the failure event's id comes from it. */
  trigger: string;
  severity: AlertSeverity;
  failedRuns: number;
  /** When this poller first saw the latest failed run (its own clock; a backup server's may be hours off). */
  seenAt?: string;
  /** The latest failed run's task sessions are not collected yet: held for its VMs until then. */
  awaitingTasksUntil?: string;
}

/** An open alert: failing (a failure was sent) and/or stale. Closed by exactly one `resolved`. */
export interface OpenAlert {
  since: string;
  /** The highest severity sent; null while the alert is only stale. */
  severity: AlertSeverity | null;
  failedRuns: number;
  /** Last failure or reminder sent (poll time), for `repeat`. */
  notifiedAt: string;
  /** `failedRuns` when it was sent: a reminder without failed runs since says the job went quiet. */
  notifiedRuns: number;
  reminders: number;
  /** The session that opened it: part of reminder ids. */
  openedBy: string;
  /** The latest failed run, for reminders. */
  last: RunSummary | null;
  /** The session of the last failure sent: if it was running, its FailureMessage at the end is sent too. */
  reported?: string;
}

/** What a subject's state keeps while a silence or maintenance window holds it (alerts/silence.ts). */
export interface SilenceMarker {
  /** The silence holding it now (another may take over from the first: the hold goes on). */
  id: string;
  reason: string;
  by: string | null;
  /** When the hold of this subject began. */
  since: string;
  /** People had been told of an alert that was open when the hold began (and has not resolved since). */
  told: boolean;
  /** That alert's resolved, decided while held: sent when the hold ends. */
  resolved?: AlertEvent;
  /**
   * Notices decided while held (schedule disabled/enabled, long run/ended), less those that opened and closed
   * meanwhile: what is left is owed when the hold ends (at most an all-clear and a new notice of each kind).
   */
  notices?: AlertEvent[];
}

/** A job's or policy's schedule as the EM last said it (`query?type=Job`/`CdpPolicy`); null: not said. */
export interface ScheduleState {
  configured: boolean | null;
  enabled: boolean | null;
  /** ISO UTC. */
  nextRun: string | null;
  /** CDP policies: the configured recovery point objective. */
  rpoSeconds?: number;
}

export interface JobState {
  version: typeof STATE_VERSION;
  key: string;
  kind: 'replica-job' | 'cdp-policy';
  em: string;
  uid: string;
  name: string;
  backupServer: string | null;
  /** The latest decided final session, in (creationTime, uid) order: anything at or before it is old news. */
  mark: { creationTime: string; uid: string } | null;
  /** Start times of recent non-retry runs, oldest first: the median gap between them is the schedule. */
  starts: string[];
  /** The latest finished run (any result): stale detection and stale events. */
  lastRun: EventSession | null;
  /** Consecutive retry sessions up to the latest run. */
  retryStreak: number;
  /** The newest session seen running after `mark`: it holds a failure until reported Stopped or no longer reported. */
  running: { uid: string; creationTime: string } | null;
  hold: Hold | null;
  alert: OpenAlert | null;
  /** CDP: the running policy session whose completed VM tasks are currently bad (decided before it ends). */
  interim: { sessionUid: string; severity: AlertSeverity | null } | null;
  /** Open alerts closed without a message (muted, excluded): part of stale ids, so that a later one is new. */
  quietCloses?: number;
  silenced?: SilenceMarker;
  /** Replica jobs: minutes the recent finished runs took (at most MAX_STARTS), for the usual duration. */
  durations?: number[];
  /** A replica job's run reported running far longer than usual: which, and since when the notice is out. */
  longRun?: { uid: string; startedAt: string; since: string };
  /** The schedule from the last poll that could read it; absent when never read or no longer listed. */
  schedule?: ScheduleState;
  /** A "schedule disabled" notice is out, since then: closed by an "enabled" event. */
  disabledSince?: string;
  /** Disabled notices closed so far: part of their ids, so that a second one is new. */
  disabledNotices?: number;
  /** DynamoDB TTL (epoch seconds) from the last run's end, unless a failure is held or a session runs; null keeps it. */
  expiresAt: number | null;
}

export interface SourceState {
  version: typeof STATE_VERSION;
  key: string;
  kind: 'enterprise-manager';
  em: string;
  uid: string;
  name: string;
  /** The latest poll counted: a poll at or before it is a repeat (or the clock stepped back) and changes nothing. */
  lastPollAt: string | null;
  failedPolls: number;
  firstFailedAt: string | null;
  cause: { kind: string; message: string } | null;
  /** An unreachable notice is out. */
  open: boolean;
  silenced?: SilenceMarker;
  /** Until-resolved silences that ended on this EM: they hold nothing here any more. */
  resolvedSilences?: string[];
  expiresAt: null;
}

export type SubjectState = JobState | SourceState;

export function subjectKey(em: string, kind: SubjectKind, uid: string): string {
  return `${em}|${kind}|${uid}`;
}
