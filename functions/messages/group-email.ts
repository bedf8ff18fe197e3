// E-mail for a group (messages/group.ts): one report for many alerts of one EM at once, e.g.
// `[FAILED] 37 replica jobs on em-prod: 52 of 160 VMs failed`, listing each member within the body budget.

import { asciiLine } from './ascii.ts';
import { groupAttributesOf } from './attributes.ts';
import { fieldLines, stepLines, subjectWith, vmsField, within } from './email-layout.ts';
import type { AlertGroup } from './group.ts';
import {
  breakdown,
  countOf,
  detectedAt,
  groupLabel,
  groupSteps,
  groupSummary,
  heldNote,
  kindTag,
  listNames,
  memberReason,
  memberState,
  nounOf,
  serversOf,
  serverWord,
  totalCounts,
} from './group-describe.ts';
import { BODY_BUDGET_BYTES, EMAIL_NAME_CHARS, GROUP_REASON_CHARS } from './limits.ts';
import { line, plural, utf8Bytes } from './text.ts';
import { formatTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

const name = (s: string) => line(s, EMAIL_NAME_CHARS);
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function renderGroupEmail(group: AlertGroup, options: RenderOptions): Rendered {
  const subject = subjectWith(
    `[${groupLabel(group)}] ${countOf(group)} on `,
    group.enterpriseManager,
    `: ${asciiLine(groupSummary(group))}`,
  );
  return { subject, message: body(group, options), attributes: groupAttributesOf(group) };
}

function body(group: AlertGroup, { timeZone }: RenderOptions): string {
  const em = name(group.enterpriseManager);
  const mix = breakdown(group);
  const servers = serversOf(group);
  const lines = [
    `${countOf(group)} on ${em}: ${groupLabel(group)} - ${groupSummary(group)}`,
    '',
    ...fieldLines('Enterprise Manager', em),
    ...fieldLines(capital(nounOf(group).many), `${group.events.length}${mix ? ` (${mix})` : ''}`),
    ...fieldLines(capital(serverWord(servers.length)), listNames(servers.map(name), 5)),
    ...fieldLines('VMs', vmsField(totalCounts(group.events))),
  ];
  const held = heldNote(group, name);
  if (held) lines.push('', held);
  const tail = [
    ...stepLines(groupSteps(group)),
    '',
    `Detected ${formatTime(detectedAt(group), timeZone)} by replica-alerts. Group id ${group.id}.`,
    `${plural(group.events.length, 'alert')} sent as one message; the events channel has each event, with this group id.`,
  ];
  const budget = BODY_BUDGET_BYTES - utf8Bytes([...lines, ...tail].join('\n')) - 200;
  return [...lines, ...memberLines(group, timeZone, budget), ...tail].join('\n');
}

/** Each member with its state and Veeam's first reason, as many as the budget allows; the rest counted. */
function memberLines(group: AlertGroup, timeZone: string, budget: number): string[] {
  const { one, many } = nounOf(group);
  const mixed = breakdown(group) !== null;
  const head = ['', `${capital(many)} in this message:`];
  const { lines, shown } = within(
    group.events,
    (event) => {
      const { subject } = event;
      const server = subject.backupServer ? ` on ${name(subject.backupServer)}` : '';
      const state = memberState(event, (iso) => formatTime(iso, timeZone));
      const reason = memberReason(event, GROUP_REASON_CHARS);
      return [
        `  - ${name(subject.name)}${kindTag(event, mixed)}${server}: ${state}`,
        ...(reason ? [`      ${reason}`] : []),
      ];
    },
    budget - utf8Bytes(head.join('\n')),
  );
  const more = group.events.length - shown;
  const rest = more > 0 ? [`  ...and ${plural(more, `more ${one}`, `more ${many}`)} not listed here.`] : [];
  return [...head, ...lines, ...rest];
}
