// SMS for a group (messages/group.ts): one segment saying how many, and the worst of them, e.g.
// `FAILED 37 jobs on em-prod, worst: SQL Replication 5/5 VMs, 08:40 CEST`.

import { asciiName } from './ascii.ts';
import { groupAttributesOf } from './attributes.ts';
import type { AlertGroup } from './group.ts';
import { countOf, detectedAt, groupLabel, worstOf } from './group-describe.ts';
import { smsWith, vmFraction } from './sms.ts';
import { clip } from './text.ts';
import { shortTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

/** Room for the EM's name, so the worst job's name keeps some too. */
const EM_CHARS = 24;

export function renderGroupSms(group: AlertGroup, { timeZone }: RenderOptions): Rendered {
  const head = `${groupLabel(group)} ${countOf(group, true)} on ${clip(asciiName(group.enterpriseManager), EM_CHARS, '..')}`;
  const when = shortTime(detectedAt(group), timeZone);
  const worst = group.event === 'failure' || group.event === 'reminder' ? worstOf(group) : null;
  const message = worst
    ? smsWith(`${head}, worst: `, worst.subject.name, ` ${vmFraction(worst.counts)}, ${when}`)
    : `${head}: ${tail(group, timeZone) ?? when}`;
  return { message, attributes: groupAttributesOf(group) };
}

/** What a group without a worst member says after the count. */
function tail(group: AlertGroup, timeZone: string): string | null {
  switch (group.event) {
    case 'resolved':
      return `ok again, ${shortTime(detectedAt(group), timeZone)}`;
    case 'schedule-disabled':
      return 'schedules disabled';
    case 'schedule-enabled':
      return 'schedules enabled again';
    case 'long-run':
      return 'running far longer than usual';
    case 'long-run-ended':
      return 'long runs ended';
    case 'stale': {
      const ends = group.events.flatMap((e) => (e.stale ? [e.stale.lastRunEnd] : [])).sort();
      const latest = ends[ends.length - 1];
      return latest ? `no run since ${shortTime(latest, timeZone, true)}` : null;
    }
    default:
      return null;
  }
}
