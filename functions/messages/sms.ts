// SMS: one segment, at most 140 characters of GSM-7-basic printable ASCII, e.g.
// `FAILED SQL Replication @srv02: 2/5 VMs, 05:41Z`. The name is shortened first when it does not fit.

import { isIP } from 'node:net';
import type { AlertEvent } from '../alerts/event.ts';
import { toGsmAscii } from './ascii.ts';
import { attributesOf } from './attributes.ts';
import { causeWords, label } from './describe.ts';
import { SMS_MAX_BYTES } from './limits.ts';
import { clip, line } from './text.ts';
import { duration, shortTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

/** Marks subjects that are not replica jobs, unless the name says it already. */
const TAG: Record<AlertEvent['subject']['kind'], string> = {
  'replica-job': '',
  'cdp-policy': ' CDP',
  'enterprise-manager': ' EM',
};

export function renderSms(event: AlertEvent, options: RenderOptions): Rendered {
  const ascii = (s: string) => toGsmAscii(line(s, 200));
  const server = event.subject.backupServer ? ` @${ascii(shortHost(event.subject.backupServer))}` : '';
  const { kind, name: subjectName } = event.subject;
  const head = `${label(event)}${kind === 'cdp-policy' && /\bcdp\b/i.test(subjectName) ? '' : TAG[kind]}`;
  const tail = ascii(details(event, options));
  const name = ascii(event.subject.name) || '?';
  const fixed = `${head} ${server}${tail}`.length;
  const room = Math.max(8, SMS_MAX_BYTES - fixed);
  const message = clip(`${head} ${clip(name, room, '..')}${server}${tail}`, SMS_MAX_BYTES, '..');
  return { message, attributes: attributesOf(event) };
}

/** A DNS name's first label (`srv02.tech.local`: `srv02`); an IP address whole, as any part of it is ambiguous. */
function shortHost(host: string): string {
  const name = host.trim();
  return isIP(name) ? name : (name.split('.')[0] ?? name);
}

function details(event: AlertEvent, { timeZone }: RenderOptions): string {
  const c = event.counts;
  const when = (iso: string | null | undefined, withDay = false) =>
    iso ? shortTime(iso, timeZone, withDay) : '?';
  const runs = event.failedRuns && event.failedRuns > 1 ? `, ${event.failedRuns} runs` : '';
  switch (event.event) {
    case 'failure': {
      const vms = c?.total ? `${c.failed || c.warning}/${c.total} VMs, ` : '';
      return `: ${vms}${when(event.session?.endTime ?? event.failingSince ?? event.detectedAt)}${runs}`;
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
      return `: no run since ${when(event.stale?.lastRunEnd, true)}`;
    case 'source-unreachable':
      return `: ${causeWords(event.source?.cause?.kind)}, ${event.source?.failedPolls ?? '?'} polls`;
    default:
      return '';
  }
}
