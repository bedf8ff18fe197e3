// Wording every channel shares for the morning digest (messages/digest.ts): the counts, the sections, and what a
// job's or policy's entry says beside its name and last run.

import { endOf } from '../alerts/runs.ts';
import { isManual } from '../alerts/schedule.ts';
import { causeWords, holdName } from './describe.ts';
import {
  DIGEST_STATUSES,
  type Digest,
  type DigestItem,
  type DigestSource,
  type DigestStatus,
  OPEN_STATUSES,
} from './digest.ts';
import { listWithin, plural } from './text.ts';
import { duration } from './time.ts';

/** Each status as a heading, after a count in a sentence, and in an SMS, where every character counts. */
export const WORDS: Record<DigestStatus, { heading: string; long: string; short: string }> = {
  failing: { heading: 'Failing', long: 'failing', short: 'failed' },
  warning: { heading: 'Warning', long: 'warning', short: 'warning' },
  stale: { heading: 'Stale', long: 'stale', short: 'stale' },
  'long-run': { heading: 'Running long', long: 'running far longer than usual', short: 'long run' },
  silenced: { heading: 'Silenced', long: 'silenced', short: 'silenced' },
  disabled: { heading: 'Disabled', long: 'disabled', short: 'disabled' },
  quiet: { heading: 'No run in 24 h', long: 'with no run in 24 h', short: 'idle 24h' },
  healthy: { heading: 'Healthy', long: 'healthy', short: 'ok' },
};

/**
 * `2 failing, 1 stale, 12 healthy`: each status that has any, in order; in at most `room` characters, those that
 * fit whole and `...` (a subject's or an SMS's end, the worst first).
 */
export function countsPhrase(
  counts: Digest['counts'],
  short = false,
  room = Number.POSITIVE_INFINITY,
): string {
  const parts = DIGEST_STATUSES.filter((status) => counts[status]).map(
    (status) => `${counts[status].toLocaleString('en-US')} ${WORDS[status][short ? 'short' : 'long']}`,
  );
  return parts.length ? listWithin(parts, room) : 'no job or policy polled yet';
}

/** The digest's sections, in order; each lists its statuses' entries. */
export const SECTIONS: readonly { title: string; statuses: readonly DigestStatus[] }[] = [
  { title: 'Open alerts, failing first', statuses: OPEN_STATUSES },
  { title: 'Running far longer than usual', statuses: ['long-run'] },
  { title: 'Silenced: held by a silence or maintenance window', statuses: ['silenced'] },
  { title: 'Disabled in Veeam', statuses: ['disabled'] },
  { title: 'No run in 24 h: none finished, none running', statuses: ['quiet'] },
  { title: 'Healthy', statuses: ['healthy'] },
];

export const itemsOf = (digest: Digest, statuses: readonly DigestStatus[]): DigestItem[] =>
  digest.items.filter((item) => statuses.includes(item.status));

/** How long ago the last run ended, e.g. `3 h 5 min`; null without one. */
export const lastRunAge = (item: DigestItem, at: string): string | null =>
  item.lastRun && duration(endOf(item.lastRun), at);

/**
 * What an entry says beside its name and last run, on one line: what holds it, its open alert and its long run (each
 * that applies, in that order, as its status ranks them), else what runs next. `time` writes a time for the channel;
 * `text` makes a person's words (a silence's) safe for it.
 */
export function itemNote(
  item: DigestItem,
  time: (iso: string) => string,
  text: (s: string) => string,
): string {
  const { alert, heldBy, longRun } = item;
  const notes = [
    heldBy && `held by ${holdName(heldBy, text)}${heldBy.until ? ` until ${time(heldBy.until)}` : ''}`,
    alert && alertNote(alert, time),
    longRun &&
      `running since ${time(longRun.startedAt)}, far longer than usual (` +
        `${longRun.noticeSince ? `notice since ${time(longRun.noticeSince)}` : 'its notice held, not sent'})`,
  ].filter((note) => note);
  if (notes.length) return notes.join('; ');
  if (item.status === 'disabled') return 'schedule disabled';
  if (item.runningSince) return `running since ${time(item.runningSince)}`;
  if (item.schedule?.nextRun) return `next run ${time(item.schedule.nextRun)}`;
  return isManual(item.schedule ?? undefined) ? 'run by hand only' : '';
}

function alertNote(alert: NonNullable<DigestItem['alert']>, time: (iso: string) => string): string {
  if (!alert.severity) return `stale since ${time(alert.since)}`;
  const retry = alert.retrying ? ", held for Veeam's retry" : '';
  return `${alert.severity} since ${time(alert.since)}, ${plural(alert.failedRuns, 'failed run')}${retry}`;
}

/** The EM's own state: when it was last polled, or that its polls fail (so what follows may be out of date). */
export function sourceNote(source: DigestSource | null, time: (iso: string) => string): string {
  if (!source?.lastPollAt) return 'never polled';
  if (!source.failedPolls) return `last polled ${time(source.lastPollAt)}`;
  const since = source.failingSince ? ` since ${time(source.failingSince)}` : '';
  return (
    `UNREACHABLE${since} (${plural(source.failedPolls, 'failed poll')}: ${causeWords(source.cause?.kind)}); ` +
    'the jobs and policies listed are as the last poll that read it found them'
  );
}
