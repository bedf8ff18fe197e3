// SMS: one segment, at most 140 characters of GSM-7-basic printable ASCII, e.g.
// `FAILED SQL Replication @srv02: 2/5 VMs, 05:41Z`. The name is shortened first when it does not fit.

import { isIP } from 'node:net';
import type { AlertEvent, EventCounts } from '../alerts/event.ts';
import { asciiLine, asciiName } from './ascii.ts';
import { attributesOf } from './attributes.ts';
import { causeWords, isMaintenance, label, longRunPhrase } from './describe.ts';
import { SMS_MAX_BYTES } from './limits.ts';
import { fitName, roomAfterName } from './text.ts';
import { duration, shortTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

/** Marks subjects that are not replica jobs, unless the name says it already. */
const TAG: Record<AlertEvent['subject']['kind'], string> = {
  'replica-job': '',
  'cdp-policy': ' CDP',
  'enterprise-manager': ' EM',
};

export function renderSms(event: AlertEvent, options: RenderOptions): Rendered {
  const server = event.subject.backupServer ? ` @${asciiLine(shortHost(event.subject.backupServer))}` : '';
  const { kind, name } = event.subject;
  const head = `${label(event)}${kind === 'cdp-policy' && /\bcdp\b/i.test(name) ? '' : TAG[kind]}`;
  const { afterSilence } = event;
  const held = afterSilence ? ` (${isMaintenance(afterSilence) ? 'maintenance' : 'silence'} ended)` : '';
  const rpo = event.rpo?.breached ? ' (RPO breached)' : '';
  const after = `${server}${asciiLine(details(event, options))}${rpo}${held}`;
  return { message: smsWith(`${head} `, name, after), attributes: attributesOf(event) };
}

/** One segment around a name from the EM (`before` and `after` already ASCII): the name gives way first. */
export const smsWith = (before: string, name: string, after: string): string =>
  fitName({ before, name: asciiName(name), after }, SMS_MAX_BYTES, '..');

/** What `smsWith(before, name, ...)` keeps for its `after` at least. */
export const smsRoom = (before: string, name: string): number =>
  roomAfterName(before, asciiName(name), SMS_MAX_BYTES);

/** `2/5 VMs`: the failed VMs (or, in a run without failures, those with warnings) of all; null without counts. */
export const vmFraction = (c: EventCounts | null): string | null =>
  c?.total ? `${c.failed || c.warning}/${c.total} VMs` : null;

/** A DNS name's first label (`srv02.tech.local`: `srv02`); an IP address whole, as any part of it is ambiguous. */
export function shortHost(host: string): string {
  const name = host.trim();
  return isIP(name) ? name : (name.split('.')[0] ?? name);
}

function details(event: AlertEvent, { timeZone }: RenderOptions): string {
  const when = (iso: string | null | undefined, withDay = false) =>
    iso ? shortTime(iso, timeZone, withDay) : '?';
  const runs = event.failedRuns && event.failedRuns > 1 ? `, ${event.failedRuns} runs` : '';
  switch (event.event) {
    case 'failure': {
      const vms = vmFraction(event.counts);
      return `: ${vms ? `${vms}, ` : ''}${when(event.session?.endTime ?? event.failingSince ?? event.detectedAt)}${runs}`;
    }
    case 'reminder':
      if (event.quietSince)
        return `: no run since ${when(event.quietSince, true)}, ${event.failedRuns ?? '?'} failed before`;
      return `: ${event.failedRuns ?? '?'} failed runs since ${when(event.failingSince, true)}`;
    case 'resolved': {
      const took = duration(event.failingSince, event.session?.endTime ?? event.detectedAt, true);
      return `: ok${took ? ` after ${took}` : ''}${runs}`;
    }
    case 'stale':
      if (event.stale?.dueAt) return `: run due ${when(event.stale.dueAt, true)} did not start`;
      return `: no run since ${when(event.stale?.lastRunEnd, true)}`;
    case 'long-run':
    case 'long-run-ended':
      return `: ${longRunPhrase(event, true)}`;
    case 'schedule-disabled':
      return ': schedule disabled';
    case 'schedule-enabled':
      return ': schedule enabled again';
    case 'source-unreachable':
      return `: ${causeWords(event.source?.cause?.kind)}, ${event.source?.failedPolls ?? '?'} polls`;
    default:
      return '';
  }
}
