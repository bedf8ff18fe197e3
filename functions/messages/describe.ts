// Wording every channel shares: what happened, to what, and what to check next.

import type { AlertEvent, EventCounts, SubjectKind } from '../alerts/event.ts';
import { line, plural } from './text.ts';
import { duration } from './time.ts';

/** `FAILED`, `STILL WARNING`, `RESOLVED`...: of an event, or of a group (its kind and alert severity). */
export function label(event: Pick<AlertEvent, 'event' | 'severity'>): string {
  switch (event.event) {
    case 'failure':
      return event.severity === 'Failed' ? 'FAILED' : 'WARNING';
    case 'reminder':
      return event.severity === 'Failed' ? 'STILL FAILING' : 'STILL WARNING';
    case 'resolved':
      return 'RESOLVED';
    case 'stale':
      return 'STALE';
    case 'source-unreachable':
      return 'UNREACHABLE';
    default:
      return String(event.event).toUpperCase();
  }
}

export const NOUN: Record<SubjectKind, string> = {
  'replica-job': 'Replica job',
  'cdp-policy': 'CDP policy',
  'enterprise-manager': 'Enterprise Manager',
};

/** `2 of 5 VMs failed`, `1 of 5 VMs with warnings`, or null without counts. */
export function vmPhrase(c: EventCounts | null): string | null {
  if (!c || c.total === 0) return null;
  if (c.failed) return `${c.failed} of ${plural(c.total, 'VM')} failed`;
  if (c.warning) return `${c.warning} of ${plural(c.total, 'VM')} with warnings`;
  return `${plural(c.total, 'VM')}, all succeeded`;
}

/** The short state of things after the subject's name, for subjects and titles. */
export function summary(event: AlertEvent): string {
  const runs = event.failedRuns ?? 0;
  switch (event.event) {
    case 'failure':
      return (
        vmPhrase(event.counts) ?? (event.severity === 'Failed' ? 'run failed' : 'run ended with warnings')
      );
    case 'reminder':
      if (event.quietSince) {
        const quiet = duration(event.quietSince, event.detectedAt);
        return `no run finished for ${quiet ?? 'too long'}`;
      }
      return `${plural(runs, 'failed run')} in a row`;
    case 'resolved': {
      const took = duration(event.failingSince, event.session?.endTime ?? event.detectedAt);
      if (event.subject.kind === 'enterprise-manager')
        return `reachable again${took ? ` after ${took}` : ''}`;
      return `healthy again${took ? ` after ${took}` : ''}`;
    }
    case 'stale': {
      const quiet = duration(event.stale?.lastRunEnd ?? null, event.detectedAt);
      return `no run finished for ${quiet ?? 'too long'}`;
    }
    case 'source-unreachable':
      return `${causeWords(event.source?.cause?.kind)} (${plural(event.source?.failedPolls ?? 0, 'failed poll')})`;
    default:
      return '';
  }
}

/** A reminder's plain word that nothing ran since the last notice, with the time as `time` writes it. */
export function quietNote(event: AlertEvent, time: (iso: string) => string): string | null {
  if (!event.quietSince) return null;
  return `No run has finished since ${time(event.quietSince)}: it may have stopped running (disabled, deleted, backup server down).`;
}

const CAUSES: Record<string, string> = {
  unreachable: 'cannot connect',
  timeout: 'not answering',
  tls: 'TLS failed',
  credentials: 'credentials rejected',
  secret: 'credentials secret unreadable',
  config: 'EM URL unusable',
  forbidden: 'access denied',
  'api-not-available': 'REST API not available',
  'em-error': 'EM reported an error',
  unparseable: 'unreadable answers',
  'too-large': 'answer too large',
};

export const causeWords = (kind: string | undefined): string => (kind && CAUSES[kind]) || 'poll failed';

/** What an on-call engineer checks next, per kind of event. */
export function nextSteps(event: AlertEvent): string[] {
  const where = event.subject.backupServer ? ` on ${line(event.subject.backupServer, 100)}` : '';
  const session = `Open the session in the Veeam console${where} (Home > Replicas / Last 24 hours) and read each VM's log.`;
  const stopped = [
    `Check in the Veeam console${where} that the job is enabled and scheduled.`,
    'Check the backup server is up, its license is valid and the Veeam services run.',
  ];
  switch (event.event) {
    case 'failure':
    case 'reminder':
      // A failing job that stopped running: first why it no longer runs, then why its last run failed.
      if (event.quietSince) return [...stopped, session];
      return [
        session,
        'Check the target host, datastore free space and the network between the proxies.',
        event.session?.isRetry
          ? 'Veeam already retried this run; after fixing the cause, start the job or policy again.'
          : 'Veeam may retry by itself; if the cause persists, fix it and start the job or policy again.',
      ];
    case 'stale':
      return stopped;
    case 'source-unreachable':
      return [
        'Follow the advice in the cause above; the poller keeps trying and says when the EM answers again.',
        "Until then no replica failures from this EM's backup servers can be reported.",
      ];
    default:
      return [];
  }
}
