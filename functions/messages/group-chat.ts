// Chat for a group (messages/group.ts): one AWS Chatbot custom notification for many alerts of one EM at once,
// listing the first members with their state and counting the rest. EM text is made inert as in chat.ts.

import { eventId } from '../alerts/event.ts';
import { groupAttributesOf } from './attributes.ts';
import { chatbotMessage, ICON, escapeMarkdown as md } from './chat.ts';
import { NOUN } from './describe.ts';
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
  memberState,
  nounOf,
  serversOf,
  serverWord,
} from './group-describe.ts';
import { CHAT_MAX_MEMBERS, CHAT_TEXT_CHARS } from './limits.ts';
import { line, plural } from './text.ts';
import { formatTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

export function renderGroupChat(group: AlertGroup, { timeZone }: RenderOptions): Rendered {
  const { events, enterpriseManager: em } = group;
  const time = (iso: string) => formatTime(iso, timeZone);
  const heading = `${groupLabel(group)}: ${countOf(group)} on ${md(em)}`;
  const servers = serversOf(group);
  const on = servers.length
    ? ` · ${serverWord(servers.length)} ${listNames(
        servers.map((s) => md(s)),
        5,
      )}`
    : '';
  const lines = [`*${md(groupSummary(group), CHAT_TEXT_CHARS)}*`, `Detected ${time(detectedAt(group))}${on}`];
  const held = heldNote(group, (s) => md(s, 200));
  if (held) lines.push(held);
  const mixed = breakdown(group) !== null;
  for (const event of events.slice(0, CHAT_MAX_MEMBERS)) {
    const { subject } = event;
    const where = subject.backupServer ? ` on ${md(subject.backupServer)}` : '';
    const state = md(memberState(event, time), CHAT_TEXT_CHARS);
    lines.push(`• *${md(subject.name)}*${kindTag(event, mixed)}${where}: ${state}`);
  }
  const { one, many } = nounOf(group);
  const more = events.length - CHAT_MAX_MEMBERS;
  if (more > 0) lines.push(`…and ${plural(more, `more ${one}`, `more ${many}`)}`);
  lines.push(`Enterprise Manager: ${md(em)}`);
  const message = chatbotMessage({
    id: group.id,
    title: `${ICON[groupLabel(group)] ?? ''} ${heading}`.trim(),
    lines,
    steps: groupSteps(group),
    keywords: [
      group.event === 'resolved' ? 'Success' : group.alertSeverity,
      ...new Set(events.map((e) => NOUN[e.subject.kind])),
      em,
    ],
    // The same jobs and policies thread together: a storm's failure, its reminders, its resolution.
    metadata: {
      threadId: eventId([em, 'group', ...events.map((e) => `${e.subject.kind} ${e.subject.uid}`).sort()]),
      summary: line(`${heading} - ${groupSummary(group)}`, 200),
      eventType: group.event,
    },
  });
  return { message, attributes: groupAttributesOf(group) };
}
