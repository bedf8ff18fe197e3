// The benchmark's markdown table: each figure, its goal, and PASS or MISS (blank for figures without a goal).

import { cpus, totalmem } from 'node:os';
import { HOUR } from '../../functions/duration.ts';
import { DEFAULTS } from '../../functions/em/config.ts';
import { LATE_MS, SKEW_MS } from './estate.ts';
import { counted, kb, MB, mb, ms, n, type Row, verdict } from './format.ts';
import type { PollFigures } from './measure.ts';
import type { PollResult } from './protocol.ts';
import type { BenchResults, ServerFigures } from './run.ts';
import type { StormFigures } from './storm.ts';
import { stormRows } from './storm-report.ts';

/** Goals from issue 8, part 3. */
export const GOALS = {
  requestsOverMinimum: 0.05,
  floorRatio: 1.5,
  steadyRequests: 4,
  peakRssBytes: 256 * MB,
};

const dynamoOps = (poll: PollFigures) => counted(poll.result.dynamo);

/** `logon 1, ReplicaJobSession 100, ...` */
const kinds = (poll: PollFigures) =>
  Object.entries(poll.breakdown)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');

/** A steady poll's requests; the list of backup servers is what per-server windows added to the single window. */
function steadyRow(figure: string, poll: PollFigures): Row {
  const list = poll.breakdown.backupServers ?? 0;
  return [
    figure,
    `${poll.requests} requests (${kinds(poll)}), ${ms(poll.result.wallMs)}, ` +
      `${n(poll.result.summary.sessionsRead)} runs taken in; ${poll.requests - list} without the backup server list`,
    `≤ ${GOALS.steadyRequests} requests`,
    verdict(poll.requests <= GOALS.steadyRequests),
  ];
}

const hours = (msValue: number) => `${msValue / HOUR} h`;

/** The estate of many backup servers: what it is, its steady poll against the issue's "not 1 per server". */
function serverRows(servers: ServerFigures, steady: PollFigures): Row[] {
  const { mix, steady: poll } = servers;
  const onTime = mix.servers - mix.quiet - mix.late - mix.slow - mix.fast;
  // Longest first. Each server behind the common window is one `BackupServerUid==` term, each group one `;` (AND).
  const queries = Object.entries(poll.longestQuery)
    .sort(([, a], [, b]) => b.chars - a.chars)
    .map(([type, { chars, filter }]) => {
      const named = filter.split('BackupServerUid==').length - 1;
      const groups = filter.split(';').length - 1;
      return { type, chars, named, text: `${type} ${n(chars)} chars, ${named} servers in ${groups} terms` };
    });
  const longest = queries[0]?.chars ?? 0;
  const grouped = queries.filter((q) => q.named > 0).map((q) => q.text);
  return [
    [
      `Estate, ${mix.servers} backup servers`,
      `${onTime} hourly on time, ${mix.quiet} quiet for ${servers.quietHours} h (daily jobs), ${mix.late} collected ` +
        `${hours(LATE_MS)} late, ${mix.slow} on a clock ${hours(SKEW_MS)} slow, ${mix.fast} ${hours(SKEW_MS)} fast; ` +
        `${n(servers.sessions.replica)} replica job sessions over ${servers.days} days, ${n(servers.sessions.cdp)} CDP sessions (${servers.sessions.policies} policies, on-time servers)`,
      '',
      '',
    ],
    [
      `Steady poll, ${mix.servers} backup servers, nothing new`,
      `${poll.requests} requests (${kinds(poll)}), ${ms(poll.result.wallMs)}, ` +
        `${n(poll.result.summary.sessionsRead)} runs taken in; the 3-server estate's: ${steady.requests}`,
      `< ${mix.servers} requests (not 1 per server)`,
      verdict(poll.requests < mix.servers),
    ],
    [
      `Longest query URL, steady poll, ${mix.servers} backup servers`,
      `${n(longest)} chars (servers behind the common window, grouped: ${grouped.join('; ') || 'none'})`,
      `≤ ${n(DEFAULTS.maxUrlLength)} chars`,
      verdict(longest <= DEFAULTS.maxUrlLength),
    ],
  ];
}

export function machine(): string {
  return `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${mb(totalmem())} memory, node ${process.version}`;
}

/** First-poll requests against one minimum, judged on the 5% goal. */
function againstMinimum(figure: string, requests: number, minimum: number, how: string): Row {
  const over = requests / minimum - 1;
  return [
    figure,
    `${n(requests)} (minimum ${n(minimum)}: ${how}; ${over >= 0 ? '+' : ''}${(over * 100).toFixed(1)}%)`,
    '≤ minimum + 5%',
    verdict(over <= GOALS.requestsOverMinimum),
  ];
}

/** A first poll's peak RSS, judged on the 256 MB goal. */
function peakRss(figure: string, result: PollResult, heap: string, startRss: number): Row {
  const peak = Math.max(result.maxRss, result.sampledRss);
  return [
    figure,
    `${mb(peak)} (${heap}; process at start ${mb(startRss)}; V8 heap after ${mb(result.heapUsed)})`,
    '< 256 MB',
    verdict(peak < GOALS.peakRssBytes),
  ];
}

export function renderTable(r: BenchResults): string {
  const { yardstick: y, first, floor, steady, steadyNew, bundle, options, deployed } = r;
  const ratio = first.result.wallMs / floor.wallMs;
  const rows: Row[] = [
    [
      'Estate',
      `${n(y.sessions.replica)} replica job sessions (${n(y.needingTasks.replica)} not Success), ` +
        `${n(y.sessions.cdp)} CDP sessions (${n(y.needingTasks.cdp)} need tasks)`,
      '≥ 50,000 replica sessions',
      verdict(y.sessions.replica >= 50_000),
    ],
    againstMinimum(
      "EM requests, first poll, vs the issue's minimum",
      first.requests,
      y.literal,
      `logon, session pages, needed task-session pages of ${n(options.pageSize)}, logoff`,
    ),
    againstMinimum(
      'EM requests, first poll, vs the minimum the EM API allows',
      first.requests,
      y.minimum,
      `task sessions by parent UID, ${y.uidsPerRequest.replica} per ${n(DEFAULTS.maxUrlLength)}-char URL`,
    ),
    [
      'EM requests, naive (1 per session)',
      `${n(y.naive)} (first poll makes ${((first.requests / y.naive) * 100).toFixed(2)}% of them)`,
      '',
      '',
    ],
    [
      'UIDs per task-session request',
      `${y.uidsPerRequest.replica} replica, ${y.uidsPerRequest.cdp} CDP (longest task URL sent: ${first.longestUrl} chars)`,
      'URL ≤ 4,096 chars',
      verdict(first.longestUrl <= 4096),
    ],
    ['First poll wall time (pollEm, all of it)', ms(first.result.wallMs), '', ''],
    [
      'First poll EM session (logon to logoff answered)',
      `${ms(first.emPhaseMs)}; requests: ${kinds(first)}`,
      '',
      '',
    ],
    [
      'First poll after the EM session (decide, state, delivery)',
      `≈ ${ms(first.result.wallMs - first.emPhaseMs)} for ${n(first.result.summary.eventsDecided)} events`,
      '',
      '',
    ],
    [
      'Download floor (same GETs, sequential, unparsed)',
      `${ms(floor.wallMs)} (${n(floor.requests)} requests, ${mb(floor.bytes)})`,
      '',
      '',
    ],
    [
      'First poll / floor',
      `${ratio.toFixed(2)}x`,
      `≤ ${GOALS.floorRatio}x`,
      verdict(ratio <= GOALS.floorRatio),
    ],
    ['First poll EM session / floor', `${(first.emPhaseMs / floor.wallMs).toFixed(2)}x`, '', ''],
    steadyRow('Steady poll, nothing new', steady),
    steadyRow('Steady poll, 10 new sessions', steadyNew),
    ...serverRows(r.servers, steady),
    peakRss(
      'Peak RSS, first poll, heap capped for the goal',
      first.result,
      `heap cap ${options.heapMb ? `${options.heapMb} MB` : 'none'}`,
      r.childBaselineRss,
    ),
    peakRss(
      'Peak RSS, first poll, as deployed',
      deployed.result,
      `${deployed.memoryMb} MB function, heap cap ${deployed.heapMb} MB`,
      deployed.childBaselineRss,
    ),
    [
      'Lambda bundle (handler.ts, minified ESM)',
      `${kb(bundle.bytes)} (${kb(bundle.gzipBytes)} gzipped)`,
      '',
      '',
    ],
    [
      'Handler module load (fresh node, median)',
      `${ms(bundle.loadMs)} (runs: ${bundle.loadRuns.map((v) => v.toFixed(0)).join(', ')} ms)`,
      '',
      '',
    ],
    ['DynamoDB operations, first poll', dynamoOps(first), '', ''],
    ['DynamoDB operations, steady poll', dynamoOps(steady), '', ''],
    ['DynamoDB operations, steady + 10 new', dynamoOps(steadyNew), '', ''],
    [
      'Events decided / published, first poll',
      `${n(first.result.summary.eventsDecided)} / ${n(first.result.summary.published)}`,
      '',
      '',
    ],
    ...stormRows(r.storm),
  ];
  return markdown(`EM latency ${options.latencyMs} ms per request, page size ${options.pageSize}`, rows);
}

/** The storm's rows alone (`--storm-only`). */
export function renderStormTable(storm: StormFigures, latencyMs: number): string {
  return markdown(`EM latency ${latencyMs} ms per request`, stormRows(storm));
}

function markdown(head: string, rows: Row[]): string {
  const cellText = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `${head}; ${machine()}`,
    '',
    '| Figure | Measured | Goal | Result |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.map(cellText).join(' | ')} |`),
  ].join('\n');
}
