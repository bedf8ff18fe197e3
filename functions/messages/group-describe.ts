// Wording every channel shares for a grouped message (messages/group.ts): how many of what, what happened to them
// together, each member's state in a few words, and what to check first when many fail at once.

import type { AlertEvent, EventCounts } from '../alerts/event.ts';
import { MINUTE } from '../duration.ts';
import { holdName, label, summary, vmPhrase } from './describe.ts';
import type { AlertGroup } from './group.ts';
import { clip, line, plural } from './text.ts';
import { duration, span } from './time.ts';

export interface Noun {
  one: string;
  many: string;
}

type NounKind = 'replica-job' | 'cdp-policy' | 'mixed';

const NOUNS: Record<NounKind, Noun> = {
  'replica-job': { one: 'replica job', many: 'replica jobs' },
  'cdp-policy': { one: 'CDP policy', many: 'CDP policies' },
  mixed: { one: 'job or policy', many: 'jobs and policies' },
};
/** SMS: every character counts, and a replica job is what a job is. */
const SHORT: Record<NounKind, Noun> = { ...NOUNS, 'replica-job': { one: 'job', many: 'jobs' } };

/** What the members are: replica jobs, CDP policies, or jobs and policies. */
export function nounOf(group: AlertGroup, short = false): Noun {
  const kinds = new Set(group.events.map((e) => e.subject.kind));
  const [kind] = kinds;
  const nounKind = kinds.size === 1 && (kind === 'replica-job' || kind === 'cdp-policy') ? kind : 'mixed';
  return (short ? SHORT : NOUNS)[nounKind];
}

/** `37 replica jobs`, `12 CDP policies`, `37 jobs and policies`; `37 jobs` with `short`. */
export function countOf(group: AlertGroup, short = false): string {
  const { one, many } = nounOf(group, short);
  return plural(group.events.length, one, many);
}

/** `30 replica jobs, 7 CDP policies` for a mixed group; null when the members are all of one kind. */
export function breakdown(group: AlertGroup): string | null {
  if (nounOf(group) !== NOUNS.mixed) return null;
  const count = (kind: 'replica-job' | 'cdp-policy') =>
    group.events.filter((e) => e.subject.kind === kind).length;
  return [
    plural(count('replica-job'), NOUNS['replica-job'].one, NOUNS['replica-job'].many),
    plural(count('cdp-policy'), NOUNS['cdp-policy'].one, NOUNS['cdp-policy'].many),
  ].join(', ');
}

/** ` (CDP policy)` after a policy's name in a `mixed` group, where a name alone does not say which is which. */
export const kindTag = (event: AlertEvent, mixed: boolean): string =>
  mixed && event.subject.kind === 'cdp-policy' ? ' (CDP policy)' : '';

export const groupLabel = (group: AlertGroup): string =>
  label({ event: group.event, severity: group.alertSeverity });

/** The members' VM counts added up; null when none of them has any (stale jobs, runs sent without their VMs). */
export function totalCounts(events: readonly AlertEvent[]): EventCounts | null {
  const counted = events.flatMap((e) => (e.counts ? [e.counts] : []));
  if (!counted.length) return null;
  const sum = (key: keyof EventCounts) => counted.reduce((n, c) => n + c[key], 0);
  return { total: sum('total'), failed: sum('failed'), warning: sum('warning'), success: sum('success') };
}

/** What happened to them together, after the count: `52 of 160 VMs failed`, `healthy again`. */
export function groupSummary(group: AlertGroup): string {
  const { events } = group;
  const failed = group.alertSeverity === 'Failed';
  switch (group.event) {
    case 'failure':
      return vmPhrase(totalCounts(events)) ?? (failed ? 'runs failed' : 'runs ended with warnings');
    case 'reminder': {
      const since = events.flatMap((e) => (e.failingSince ? [e.failingSince] : [])).sort()[0];
      const longest = duration(since ?? null, detectedAt(group));
      return longest ? `the longest for ${longest}` : 'still failing';
    }
    case 'resolved':
      return 'healthy again';
    case 'schedule-disabled':
      return 'schedules disabled';
    case 'schedule-enabled':
      return 'schedules enabled again';
    case 'long-run':
      return 'runs taking far longer than usual';
    case 'long-run-ended':
      return 'long runs ended';
    case 'stale': {
      const quiet = events.map((e) => minutesBetween(e.stale?.lastRunEnd, e.detectedAt));
      const least = Math.min(...quiet.filter((m) => m !== null));
      return `no run finished for ${Number.isFinite(least) ? `${span(least)} or longer` : 'too long'}`;
    }
    default:
      return '';
  }
}

const minutesBetween = (from: string | undefined, to: string): number | null => {
  const minutes = Math.floor((Date.parse(to) - Date.parse(from ?? '')) / MINUTE);
  return Number.isFinite(minutes) && minutes >= 0 ? minutes : null;
};

/** `5 VMs: 2 failed, 1 with warnings`, or null without counts. */
export const vmTally = (c: EventCounts | null): string | null =>
  c ? `${plural(c.total, 'VM')}: ${c.failed} failed, ${c.warning} with warnings` : null;

/**
 * One member's state after its name, on one line, with EM text (a result) as the EM wrote it:
 * `Failed - 5 VMs: 2 failed, 0 with warnings`, `healthy again after 2 h`, `last run ended <time> (...)`.
 */
export function memberState(event: AlertEvent, time: (iso: string) => string): string {
  const { session } = event;
  if (event.schedule || event.longRun) return summary(event);
  if (event.event === 'stale') {
    const end = event.stale?.lastRunEnd;
    return end ? `last run ended ${time(end)} (${summary(event)})` : summary(event);
  }
  if (event.event === 'resolved') {
    return `${summary(event)}${event.failedRuns ? ` (${plural(event.failedRuns, 'failed run')})` : ''}`;
  }
  const result =
    session?.state === 'Stopped' ? line(session.result, 40) : `${event.severity} (session still running)`;
  const parts = [result, vmTally(event.counts), event.event === 'reminder' ? summary(event) : null];
  return parts.filter(Boolean).join(' - ');
}

/**
 * Why it failed, in Veeam's words on one line of at most `max` characters: the first VM's reason (`vm: reason`),
 * else the session's failure message. Each part is cut first: a reason may be long, and there are many members.
 */
export function memberReason(event: AlertEvent, max: number): string | null {
  if (event.event !== 'failure' && event.event !== 'reminder') return null;
  const vm = event.vms?.find((v) => v.reason);
  if (vm?.reason) return clip(`${line(vm.name, max)}: ${line(vm.reason, max)}`, max);
  return event.session?.failureMessage ? line(event.session.failureMessage, max) : null;
}

/** The backup servers the members run on, each once, by name. */
export const serversOf = (group: AlertGroup): string[] =>
  [...new Set(group.events.flatMap((e) => (e.subject.backupServer ? [e.subject.backupServer] : [])))].sort();

/** When the storm was seen: the earliest detection among the members (a member retried from an earlier poll). */
export const detectedAt = (group: AlertGroup): string =>
  group.events.map((e) => e.detectedAt).sort()[0] ?? '';

/** `a, b and c`; beyond `max` names, `a, b, c and 4 more`. */
export function listNames(names: readonly string[], max: number): string {
  const shown = names.slice(0, max);
  const rest = names.length - shown.length;
  const last = rest > 0 ? `${rest.toLocaleString('en-US')} more` : shown.pop();
  return shown.length ? `${shown.join(', ')} and ${last}` : (last ?? '');
}

/** The member whose run lost the most VMs (failed, then with warnings); null when none has VM counts. */
export function worstOf(group: AlertGroup): AlertEvent | null {
  let worst: AlertEvent | null = null;
  for (const event of group.events) {
    const c = event.counts;
    const w = worst?.counts;
    if (c?.total && (!w || c.failed > w.failed || (c.failed === w.failed && c.warning > w.warning)))
      worst = event;
  }
  return worst;
}

export const serverWord = (count: number): string => (count === 1 ? 'backup server' : 'backup servers');

const serverCheck = (count: number, names: string): string =>
  count === 1
    ? `Check the backup server ${names} is up, its license is valid and the Veeam services run.`
    : `Check the ${serverWord(count)}${names ? ` ${names}` : ''} are up, their licenses are valid and the Veeam services run.`;

/** What to check first when many alert at once: a cause they share, before each job's own logs. */
export function groupSteps(group: AlertGroup): string[] {
  const { many } = nounOf(group);
  const count = countOf(group);
  const servers = listNames(
    serversOf(group).map((s) => line(s, 100)),
    3,
  );
  const on = servers ? ` on ${servers}` : '';
  switch (group.event) {
    case 'failure':
    case 'reminder': {
      const what =
        group.event === 'reminder'
          ? 'are still failing'
          : group.alertSeverity === 'Failed'
            ? 'failed at once'
            : 'ended with warnings at once';
      const steps = [
        `${count} ${what}: a shared cause is likely. Check the target datastores' free space, the target hosts, the network between the sites and the proxies first.`,
        `Then open the sessions in the Veeam console${on} (Home > Replicas / Last 24 hours) and read the VMs' logs.`,
        `After fixing the cause, start the ${many} that still fail again; Veeam may retry some by itself.`,
      ];
      if (group.events.some((e) => e.quietSince))
        steps.push(
          'Those with no run since the last notice may have stopped running: check they are enabled and scheduled, and the backup servers are up.',
        );
      return steps;
    }
    case 'stale':
      return [
        `${count} stopped running at once: a shared cause is likely. ${serverCheck(serversOf(group).length, servers)}`,
        `Check in the Veeam console that the ${many} are enabled and scheduled.`,
      ];
    case 'long-run':
      return [
        `${count} are running far longer than usual at once: a shared cause is likely (a proxy, a target host or datastore, the link between the sites).`,
        `Open the running sessions in the Veeam console${on} (Home > Running) and see where they wait.`,
      ];
    case 'schedule-disabled':
      return [
        `If disabling the ${many} was not intended, enable them again in the Veeam console${on}; until then they do not run.`,
      ];
    default:
      return [];
  }
}

/** How many members a silence or maintenance window held until now (nothing about them was sent meanwhile). */
export function heldNote(group: AlertGroup, text: (s: string) => string): string | null {
  const held = group.events.flatMap((event) => (event.afterSilence ? [event.afterSilence] : []));
  const [first] = held;
  if (!first) return null;
  const { one, many } = nounOf(group);
  const who =
    held.length === group.events.length
      ? `All ${held.length} ${many} were`
      : held.length === 1
        ? `1 ${one} of these was`
        : `${held.length} ${many} of these were`;
  const by = held.every((h) => h.id === first.id) ? holdName(first, text) : 'silences or maintenance windows';
  return `${who} held by ${by} until now: nothing about them was sent meanwhile.`;
}
