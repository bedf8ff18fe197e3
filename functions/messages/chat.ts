// Chat: an AWS Chatbot (Amazon Q Developer in chat applications) custom notification, so Slack and Teams
// channels render it. Everything the EM wrote is escaped for markdown and cannot mention or link anyone.

import type { AlertEvent } from '../alerts/event.ts';
import { eventId } from '../alerts/event.ts';
import { attributesOf } from './attributes.ts';
import { label, NOUN, nextSteps, summary } from './describe.ts';
import type { Rendered, RenderOptions } from './render.ts';
import { line, plural } from './text.ts';
import { duration, formatTime } from './time.ts';

export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata: { threadId: string; summary: string; eventType: string };
}

const MAX_VMS = 10;
const MAX_REASON_CHARS = 300;
const MAX_NAME_CHARS = 120;
const ICON: Record<string, string> = {
  FAILED: '🔴',
  'STILL FAILING': '🔴',
  WARNING: '🟠',
  'STILL WARNING': '🟠',
  RESOLVED: '✅',
  STALE: '⏰',
  UNREACHABLE: '🔌',
};

/**
 * Markdown-inert text: one line; the characters that format mid-line (emphasis, code, links, tables)
 * backslash-escaped; `<>&` as entities (no Slack `<!channel>` or link syntax); `@` defused with a zero-width space.
 */
export function escapeMarkdown(text: string, max = MAX_NAME_CHARS): string {
  return line(text, max)
    .replace(/[\\`*_~[\]|]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b');
}

export function renderChat(event: AlertEvent, { timeZone }: RenderOptions): Rendered {
  const md = (s: string, max?: number) => escapeMarkdown(s, max);
  const { subject, session } = event;
  const where = subject.backupServer ? ` on ${md(subject.backupServer)}` : '';
  const title =
    `${ICON[label(event)] ?? ''} ${label(event)}: ${NOUN[subject.kind]} ${md(subject.name)}${where}`.trim();
  const lines = [`*${md(summary(event), 300)}*`];
  if (session?.endTime) {
    const took = duration(session.creationTime, session.endTime);
    const retry = session.isRetry ? ` · Veeam's retry ${session.retries}` : '';
    lines.push(`Run ended ${formatTime(session.endTime, timeZone)}${took ? ` (took ${took})` : ''}${retry}`);
  }
  if (event.failingSince && event.failedRuns && event.event !== 'stale') {
    lines.push(
      `${event.event === 'resolved' ? 'Was failing' : 'Failing'} since ${formatTime(event.failingSince, timeZone)} · ${plural(event.failedRuns, 'failed run')}`,
    );
  }
  if (session?.failureMessage) lines.push(`> ${md(session.failureMessage, MAX_REASON_CHARS)}`);
  for (const vm of event.vms.slice(0, MAX_VMS)) {
    const reason = vm.reason ? `: ${md(vm.reason, MAX_REASON_CHARS)}` : '';
    lines.push(`• *${md(vm.name)}* (${md(vm.result, 40)})${reason}`);
  }
  const more = Math.max(0, event.vms.length - MAX_VMS) + event.vmsOmitted;
  if (more) lines.push(`…and ${plural(more, 'more VM')}`);
  if (event.source?.cause) lines.push(`Cause: ${md(event.source.cause.message, 600)}`);
  lines.push(`Enterprise Manager: ${md(subject.enterpriseManager)}`);
  const steps = nextSteps(event);
  const notification: ChatbotNotification = {
    version: '1.0',
    source: 'custom',
    id: event.id,
    content: {
      textType: 'client-markdown',
      title,
      description: lines.join('\n'),
      ...(steps.length ? { nextSteps: steps.map((step) => md(step, 600)) } : {}),
      keywords: [event.severity, NOUN[subject.kind], subject.backupServer ?? subject.enterpriseManager].map(
        (k) => md(k, 60),
      ),
    },
    // Slack threads every notification about one subject together: the failure, its reminders, its resolution.
    metadata: {
      threadId: eventId([subject.enterpriseManager, subject.kind, subject.uid]),
      summary: line(`${label(event)}: ${line(subject.name, 120)} - ${summary(event)}`, 200),
      eventType: event.event,
    },
  };
  return { message: JSON.stringify(notification), attributes: attributesOf(event) };
}
