// Chat: an AWS Chatbot (Amazon Q Developer in chat applications) custom notification, so Slack and Teams
// channels render it. Nothing the EM wrote can format, link or mention anyone.

import type { AlertEvent } from '../alerts/event.ts';
import { eventId } from '../alerts/event.ts';
import { attributesOf } from './attributes.ts';
import { label, NOUN, quietNote, rpoPhrase, silenceNote, summary } from './describe.ts';
import { chatSteps, hintsOf } from './hints.ts';
import { CHAT_MAX_VMS, CHAT_NAME_CHARS, CHAT_TEXT_CHARS } from './limits.ts';
import { line, plural } from './text.ts';
import { duration, formatTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

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

export const ICON: Record<string, string> = {
  FAILED: '🔴',
  'STILL FAILING': '🔴',
  WARNING: '🟠',
  'STILL WARNING': '🟠',
  RESOLVED: '✅',
  STALE: '⏰',
  UNREACHABLE: '🔌',
  DISABLED: '⏸️',
  ENABLED: '▶️',
  'RUNNING LONG': '🐢',
  'LONG RUN ENDED': '🏁',
};

/** Invisible: breaks `](` and `@name` apart without changing what a reader sees. */
const ZWSP = '\u200b';
/** Look-alikes for characters that start markup (jsx-slack's for `*~\`_`, where Slack has no escape). */
const LOOK_ALIKE: Record<string, string> = { '<': '‹', '*': '∗', '~': '∼', '`': 'ˋ', _: 'ˍ' };

/**
 * EM text made inert for Slack's mrkdwn and Teams' markdown, on one line. Slack has no backslash escape and
 * AWS does not say whether Chatbot shows `&lt;` as is, so markup characters get look-alikes, as in jsx-slack
 * (github.com/yhatt/jsx-slack, docs/about-escape-and-exact-mode.md): `<`, `*`, `~`, `` ` `` always; `_` only
 * at a word's edge (inside one, neither reads italics). A zero-width space splits `](` (a link) and follows
 * `@` (a mention); a soft hyphen precedes a leading `>` (a quote). `&` and `|` form nothing without `<`.
 */
export function escapeMarkdown(text: string, max = CHAT_NAME_CHARS): string {
  return line(text, max)
    .replace(/[<*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (c) => LOOK_ALIKE[c] ?? c)
    .replace(/\](?=\()/g, `]${ZWSP}`)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/^>/, '\u00ad>');
}

export function renderChat(event: AlertEvent, options: RenderOptions): Rendered {
  const { timeZone } = options;
  const md = (s: string, max?: number) => escapeMarkdown(s, max);
  const { subject, session } = event;
  const where = subject.backupServer ? ` on ${md(subject.backupServer)}` : '';
  const title =
    `${ICON[label(event)] ?? ''} ${label(event)}: ${NOUN[subject.kind]} ${md(subject.name)}${where}`.trim();
  const lines = [`*${md(summary(event), CHAT_TEXT_CHARS)}*`];
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
  const quiet = quietNote(event, (iso) => formatTime(iso, timeZone));
  if (quiet) lines.push(quiet);
  const rpo = rpoPhrase(event);
  if (rpo) lines.push(`RPO: ${rpo}`);
  const held = silenceNote(
    event,
    (iso) => formatTime(iso, timeZone),
    (s) => md(s, 200),
  );
  if (held) lines.push(held);
  if (session?.failureMessage) lines.push(`> ${md(session.failureMessage, CHAT_TEXT_CHARS)}`);
  const vms = event.vms ?? [];
  for (const vm of vms.slice(0, CHAT_MAX_VMS)) {
    const reason = vm.reason ? `: ${md(vm.reason, CHAT_TEXT_CHARS)}` : '';
    lines.push(`• *${md(vm.name)}* (${md(vm.result, 40)})${reason}`);
  }
  const more = Math.max(0, vms.length - CHAT_MAX_VMS) + (event.vmsOmitted ?? 0);
  if (more) lines.push(`…and ${plural(more, 'more VM')}`);
  if (event.source?.cause) lines.push(`Cause: ${md(event.source.cause.message, CHAT_TEXT_CHARS)}`);
  lines.push(`Enterprise Manager: ${md(subject.enterpriseManager)}`);
  return {
    message: chatbotMessage({
      id: event.id,
      title,
      lines,
      steps: chatSteps(event, hintsOf(event, options)),
      keywords: [event.severity, NOUN[subject.kind], subject.backupServer ?? subject.enterpriseManager],
      // Slack threads every notification about one subject together: the failure, its reminders, its resolution.
      metadata: {
        threadId: eventId([subject.enterpriseManager, subject.kind, subject.uid]),
        summary: line(`${label(event)}: ${md(subject.name, 120)} - ${summary(event)}`, 200),
        eventType: event.event,
      },
    }),
    attributes: attributesOf(event),
  };
}

/** A custom notification's parts: our own steps and keywords (escaped here), lines already escaped. */
export interface ChatParts {
  id: string;
  title: string;
  lines: string[];
  steps: string[];
  keywords: string[];
  metadata: ChatbotNotification['metadata'];
}

/** The custom notification as published: Chatbot drops anything without this envelope. */
export function chatbotMessage({ id, title, lines, steps, keywords, metadata }: ChatParts): string {
  const notification: ChatbotNotification = {
    version: '1.0',
    source: 'custom',
    id,
    content: {
      textType: 'client-markdown',
      title,
      description: lines.join('\n'),
      ...(steps.length ? { nextSteps: steps.map((step) => escapeMarkdown(step, CHAT_TEXT_CHARS)) } : {}),
      keywords: keywords.map((k) => escapeMarkdown(k, 60)),
    },
    metadata,
  };
  return JSON.stringify(notification);
}
