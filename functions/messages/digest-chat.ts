// Chat for the morning digest (messages/digest.ts): one AWS Chatbot custom notification per EM, the counts and the
// EM's own state first, then the open alerts, failing first (the first CHAT_MAX_MEMBERS, the rest counted), then
// the other sections by name. EM text is made inert as in chat.ts.

import { digestAttributesOf } from './attributes.ts';
import { chatbotMessage, ICON, escapeMarkdown as md } from './chat.ts';
import type { Digest, DigestStatus } from './digest.ts';
import { countsPhrase, itemNote, itemsOf, SECTIONS, sourceNote, WORDS } from './digest-describe.ts';
import { listNames } from './group-describe.ts';
import { CHAT_MAX_MEMBERS, CHAT_TEXT_CHARS } from './limits.ts';
import { line, plural } from './text.ts';
import { formatTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

const MARK: Record<DigestStatus, string> = {
  failing: ICON.FAILED ?? '',
  warning: ICON.WARNING ?? '',
  stale: ICON.STALE ?? '',
  'long-run': ICON['RUNNING LONG'] ?? '',
  silenced: '🔕',
  disabled: '⏸️',
  quiet: '💤',
  healthy: ICON.RESOLVED ?? '',
};
/** Names listed per section after the open alerts; the healthy are only counted. */
const NAMES_LISTED = 5;

export function renderDigestChat(digest: Digest, { timeZone }: RenderOptions): Rendered {
  const time = (iso: string) => formatTime(iso, timeZone);
  const em = md(digest.enterpriseManager);
  const summary = countsPhrase(digest.counts);
  const [open, ...others] = SECTIONS.map(({ statuses }) => itemsOf(digest, statuses));
  const lines = [
    `*${md(summary, CHAT_TEXT_CHARS)}*`,
    `Enterprise Manager ${em}, ${md(sourceNote(digest.source, time), CHAT_TEXT_CHARS)}`,
  ];
  for (const item of (open ?? []).slice(0, CHAT_MAX_MEMBERS)) {
    const where = item.backupServer ? ` on ${md(item.backupServer)}` : '';
    const cdp = item.kind === 'cdp-policy' ? ' (CDP policy)' : '';
    const note = md(
      itemNote(item, time, (s) => s),
      CHAT_TEXT_CHARS,
    );
    lines.push(`${MARK[item.status]} *${md(item.name)}*${cdp}${where}: ${note}`);
  }
  const more = (open?.length ?? 0) - CHAT_MAX_MEMBERS;
  if (more > 0) lines.push(`…and ${plural(more, 'more open alert')}`);
  for (const items of others) {
    const [first] = items;
    if (!first) continue;
    const { heading } = WORDS[first.status];
    const names =
      first.status === 'healthy'
        ? ''
        : `: ${listNames(
            items.map((item) => md(item.name)),
            NAMES_LISTED,
          )}`;
    lines.push(`${MARK[first.status]} ${heading} (${items.length.toLocaleString('en-US')})${names}`);
  }
  const message = chatbotMessage({
    id: digest.id,
    title: `📋 Morning digest: ${em}`,
    lines,
    steps: [],
    keywords: ['Digest', digest.enterpriseManager],
    // Each digest its own thread: a daily one threaded under the first would drop out of the channel's view.
    metadata: { threadId: digest.id, summary: line(`Digest ${em}: ${summary}`, 200), eventType: 'digest' },
  });
  return { message, attributes: digestAttributesOf(digest) };
}
