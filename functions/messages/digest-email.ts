// E-mail for the morning digest (messages/digest.ts): the counts in the subject, e.g.
// `[DIGEST] em-prod: 1 failed, 1 stale, 12 ok`, and a plain-text table per section, within the body budget.
// SNS sends e-mail as plain text only, so there is no HTML alternative.

import { endOf } from '../alerts/runs.ts';
import { asciiLine } from './ascii.ts';
import { digestAttributesOf } from './attributes.ts';
import { DIGEST_STATUSES, type Digest, type DigestItem } from './digest.ts';
import {
  countsPhrase,
  itemNote,
  itemsOf,
  lastRunAge,
  SECTIONS,
  sourceNote,
  WORDS,
} from './digest-describe.ts';
import { fieldLines, subjectRoom, subjectWith, within } from './email-layout.ts';
import { BODY_BUDGET_BYTES, EMAIL_NAME_CHARS } from './limits.ts';
import { clip, line, plural, utf8Bytes } from './text.ts';
import { formatTime, shortTime } from './time.ts';
import type { Rendered, RenderOptions } from './types.ts';

const HEADERS = ['Job or policy', 'Backup server', 'Last run', 'Result', 'Age', 'Note'];
/** The widest a column may grow (names are cut to fit), so that a long name does not push the others away. */
const NAME_WIDTH = 48;
const SERVER_WIDTH = 32;
const RESULT_WIDTH = 12;
const WIDTHS = [NAME_WIDTH, SERVER_WIDTH, 24, RESULT_WIDTH, 12];

export function renderDigestEmail(digest: Digest, options: RenderOptions): Rendered {
  const [before, name] = ['[DIGEST] ', digest.enterpriseManager];
  const lead = `${digest.source?.failedPolls ? ' EM UNREACHABLE' : ''}: `;
  const counts = countsPhrase(digest.counts, true, subjectRoom(before, name) - lead.length);
  const subject = subjectWith(before, name, `${lead}${asciiLine(counts)}`);
  return { subject, message: body(digest, options), attributes: digestAttributesOf(digest) };
}

function body(digest: Digest, { timeZone }: RenderOptions): string {
  const em = line(digest.enterpriseManager, EMAIL_NAME_CHARS);
  const time = (iso: string) => formatTime(iso, timeZone);
  const lines = [
    `Morning digest of ${em}: ${countsPhrase(digest.counts)}`,
    '',
    ...fieldLines('Enterprise Manager', `${em}, ${sourceNote(digest.source, time)}`),
    ...fieldLines('As of', time(digest.generatedAt)),
    ...DIGEST_STATUSES.flatMap((status) => fieldLines(WORDS[status].heading, String(digest.counts[status]))),
  ];
  const tail = [
    '',
    `Built ${time(digest.generatedAt)} by replica-alerts from the state its polls keep. Digest id ${digest.id}.`,
  ];
  const rows = new Map(digest.items.map((item) => [item, cells(item, digest.generatedAt, timeZone)]));
  const widths = WIDTHS.map((max, i) =>
    Math.min(max, Math.max(width(HEADERS[i] ?? ''), ...[...rows.values()].map((row) => width(row[i] ?? '')))),
  );
  const aligned = (row: string[]) => `  ${row.map((cell, i) => pad(cell, widths[i])).join('  ')}`.trimEnd();
  let budget = BODY_BUDGET_BYTES - utf8Bytes([...lines, ...tail].join('\n')) - 200;
  for (const { title, statuses } of SECTIONS) {
    const items = itemsOf(digest, statuses);
    if (!items.length) continue;
    const head = ['', `${title} (${items.length.toLocaleString('en-US')}):`, aligned(HEADERS)];
    const listed = within(
      items,
      (item) => [aligned(rows.get(item) ?? [])],
      budget - utf8Bytes(head.join('\n')),
    );
    const more = items.length - listed.shown;
    const section = [
      ...head,
      ...listed.lines,
      ...(more ? [`  ...and ${plural(more, 'more')} not listed here.`] : []),
    ];
    lines.push(...section);
    budget -= utf8Bytes(section.join('\n')) + 1;
  }
  return [...lines, ...tail].join('\n');
}

/** One entry's cells, each on one line; the name and server cut to their column. */
function cells(item: DigestItem, at: string, timeZone: string): string[] {
  const short = (iso: string) => shortTime(iso, timeZone, true);
  const cdp = item.kind === 'cdp-policy' ? ' (CDP)' : '';
  const name = `${clip(line(item.name, EMAIL_NAME_CHARS), NAME_WIDTH - cdp.length, '...')}${cdp}`;
  const server = item.backupServer
    ? clip(line(item.backupServer, EMAIL_NAME_CHARS), SERVER_WIDTH, '...')
    : '-';
  const { lastRun } = item;
  return [
    name,
    server,
    lastRun ? short(endOf(lastRun)) : 'none known',
    lastRun ? clip(line(lastRun.result, 40), RESULT_WIDTH, '...') : '-',
    lastRunAge(item, at) ?? '-',
    itemNote(item, short, (s) => line(s, EMAIL_NAME_CHARS)),
  ];
}

/** Code points, not UTF-16 units: what a reader sees as characters. */
const width = (text: string) => Array.from(text).length;

const pad = (cell: string, to: number | undefined) =>
  to === undefined ? cell : cell + ' '.repeat(Math.max(0, to - width(cell)));
