// Builds events from a subject's state: every event of a poll goes through here, so ids and shapes stay uniform.

import {
  type AlertEvent,
  type AlertSeverity,
  EVENT_VERSION,
  type EventKind,
  type EventSession,
  type EventSubject,
  eventId,
  type Severity,
} from './event.ts';
import type { RunSummary, SubjectState } from './state.ts';

export interface EventParts {
  event: EventKind;
  severity: Severity;
  alertSeverity: AlertSeverity;
  /** What makes this event unique for its subject besides kind and severity: the triggering session, an ordinal. */
  trigger: readonly (string | number)[];
  /** The run the event is about, with its VMs. */
  run: RunSummary | null;
  /** Without `run`: the session the event is about when its VMs are not known (stale: the last run). */
  session?: EventSession;
  failingSince: string | null;
  failedRuns: number | null;
  stale?: AlertEvent['stale'];
  schedule?: AlertEvent['schedule'];
  longRun?: AlertEvent['longRun'];
  source?: AlertEvent['source'];
  quietSince?: string;
}

export function buildEvent(subject: EventSubject, detectedAt: string, parts: EventParts): AlertEvent {
  const { run } = parts;
  const id = eventId([
    subject.enterpriseManager,
    subject.kind,
    subject.uid,
    parts.event,
    parts.severity,
    ...parts.trigger,
  ]);
  return {
    version: EVENT_VERSION,
    id,
    event: parts.event,
    severity: parts.severity,
    alertSeverity: parts.alertSeverity,
    detectedAt,
    subject,
    session: run?.session ?? parts.session ?? null,
    ...(run ? { vms: run.vms, vmsOmitted: run.vmsOmitted } : {}),
    counts: run?.counts ?? null,
    failingSince: parts.failingSince,
    failedRuns: parts.failedRuns,
    ...(parts.stale ? { stale: parts.stale } : {}),
    ...(parts.schedule ? { schedule: parts.schedule } : {}),
    ...(parts.longRun ? { longRun: parts.longRun } : {}),
    ...(parts.source ? { source: parts.source } : {}),
    ...(parts.quietSince ? { quietSince: parts.quietSince } : {}),
  };
}

/** The subject an event names, from its state. */
export function eventSubject(state: SubjectState): EventSubject {
  const backupServer = state.kind === 'enterprise-manager' ? null : state.backupServer;
  return { kind: state.kind, uid: state.uid, name: state.name, backupServer, enterpriseManager: state.em };
}
