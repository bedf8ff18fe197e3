// Wording every channel shares: what happened, to what, and what to check next.

import type { AfterSilence, AlertEvent, EventCounts, SubjectKind } from '../alerts/event.ts';
import { MAINTENANCE_PREFIX } from '../alerts/maintenance.ts';
import { line, plural } from './text.ts';
import { duration, span } from './time.ts';

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
    case 'schedule-disabled':
      return 'DISABLED';
    case 'schedule-enabled':
      return 'ENABLED';
    case 'long-run':
      return 'RUNNING LONG';
    case 'long-run-ended':
      return 'LONG RUN ENDED';
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
      if (event.stale?.dueAt) {
        const late = duration(event.stale.dueAt, event.detectedAt);
        return `the run due ${late ? `${late} ago` : 'by now'} did not start`;
      }
      const quiet = duration(event.stale?.lastRunEnd ?? null, event.detectedAt);
      return `no run finished for ${quiet ?? 'too long'}`;
    }
    case 'source-unreachable':
      return `${causeWords(event.source?.cause?.kind)} (${plural(event.source?.failedPolls ?? 0, 'failed poll')})`;
    case 'long-run':
    case 'long-run-ended':
      return longRunPhrase(event);
    case 'schedule-disabled':
      return 'its schedule was disabled';
    case 'schedule-enabled': {
      const off = duration(event.failingSince, event.detectedAt);
      return `its schedule is enabled again${off ? ` after ${off}` : ''}`;
    }
    default:
      return '';
  }
}

/** `running for 6 h, usually 40 min`, or `ended after 7 h`: a long run's notice and its end. */
export function longRunPhrase(event: Pick<AlertEvent, 'event' | 'longRun'>, compact = false): string {
  const run = event.longRun;
  if (!run) return '';
  const took = span(run.runningMinutes, compact);
  if (event.event === 'long-run-ended') return `the long run ended after ${took}`;
  const usual = run.usualMinutes === null ? '' : `, usually ${span(run.usualMinutes, compact)}`;
  return `running for ${took}${usual}`;
}

/** A CDP policy's RPO: `15 s, breached`, `15 s`, `breached`; null when nothing is known. */
export function rpoPhrase(event: Pick<AlertEvent, 'rpo'>): string | null {
  const { rpo } = event;
  if (!rpo || (rpo.seconds === null && !rpo.breached)) return null;
  const configured = rpo.seconds === null ? null : seconds(rpo.seconds);
  return [configured, rpo.breached ? 'breached' : null].filter(Boolean).join(', ');
}

const seconds = (n: number) => (n % 60 || n < 60 ? `${n} s` : span(n / 60));

/** A reminder's plain word that nothing ran since the last notice, with the time as `time` writes it. */
export function quietNote(event: AlertEvent, time: (iso: string) => string): string | null {
  if (!event.quietSince) return null;
  return `No run has finished since ${time(event.quietSince)}: it may have stopped running (disabled, deleted, backup server down).`;
}

/** What a silence or maintenance window is known by. */
type Hold = Pick<AfterSilence, 'id' | 'reason' | 'by'>;

/**
 * What holds a subject (the digest) or held it (the first message after it): a silence (its id, reason and author, typed by a person:
 * `text` makes them safe for the channel) or a maintenance window.
 */
export function holdName(held: Hold, text: (s: string) => string): string {
  return isMaintenance(held)
    ? `the ${text(held.reason)}`
    : `silence ${text(held.id)} (${text(held.reason)}${held.by ? `, by ${text(held.by)}` : ''})`;
}

export const isMaintenance = (held: Pick<Hold, 'id'>): boolean => held.id.startsWith(MAINTENANCE_PREFIX);

/** The first message after a silence or maintenance window held the subject: which one, and since when. */
export function silenceNote(
  event: Pick<AlertEvent, 'afterSilence'>,
  time: (iso: string) => string,
  text: (s: string) => string,
): string | null {
  const held = event.afterSilence;
  if (!held) return null;
  return `Held by ${holdName(held, text)} since ${time(held.heldSince)}: nothing about it was sent until it ended.`;
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
    case 'long-run':
      return [
        `Open the running session in the Veeam console${where} (Home > Running) and see which VM it is on, and since when.`,
        'A VM stuck in snapshot creation or guest processing, a busy proxy or a slow link is the usual cause; stopping the job ends the run (Veeam then reports it Failed).',
      ];
    case 'schedule-disabled':
      return [
        `If that was not intended, enable the job or policy again in the Veeam console${where}; until then it does not run and replicas age.`,
        'While it is disabled, replica-alerts sends no stale alert for it.',
      ];
    case 'source-unreachable':
      return [
        'Follow the advice in the cause above; the poller keeps trying and says when the EM answers again.',
        "Until then no replica failures from this EM's backup servers can be reported.",
      ];
    default:
      return [];
  }
}
