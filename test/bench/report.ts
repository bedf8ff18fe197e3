// The benchmark's markdown table: each figure, its goal, and PASS or MISS (blank for figures without a goal).

import { cpus, totalmem } from 'node:os';
import { DEFAULTS } from '../../functions/em/config.ts';
import type { PollResult } from './protocol.ts';
import type { BenchResults, PollFigures } from './run.ts';

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`);
const n = (value: number) => value.toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** Goals from issue 8, part 3. */
export const GOALS = {
  requestsOverMinimum: 0.05,
  floorRatio: 1.5,
  steadyRequests: 4,
  peakRssBytes: 256 * MB,
};

function dynamoOps(poll: PollFigures): string {
  const counts = Object.entries(poll.result.dynamo).sort(([a], [b]) => a.localeCompare(b));
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  return `${n(total)} (${counts.map(([name, count]) => `${name.replace(/Command$/, '')} ${n(count)}`).join(', ')})`;
}

/** `logon 1, ReplicaJobSession 100, ...` */
const kinds = (poll: PollFigures) =>
  Object.entries(poll.breakdown)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');

export function machine(): string {
  return `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ${mb(totalmem())} memory, node ${process.version}`;
}

type Row = [figure: string, measured: string, goal: string, result: string];

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
    [
      'Steady poll, nothing new',
      `${steady.requests} requests (${kinds(steady)}), ${ms(steady.result.wallMs)}, ${n(steady.result.summary.sessionsRead)} runs taken in`,
      `≤ ${GOALS.steadyRequests} requests`,
      verdict(steady.requests <= GOALS.steadyRequests),
    ],
    [
      'Steady poll, 10 new sessions',
      `${steadyNew.requests} requests (${kinds(steadyNew)}), ${ms(steadyNew.result.wallMs)}, ${n(steadyNew.result.summary.sessionsRead)} runs taken in`,
      `≤ ${GOALS.steadyRequests} requests`,
      verdict(steadyNew.requests <= GOALS.steadyRequests),
    ],
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
  ];
  const head = `EM latency ${options.latencyMs} ms per request, page size ${options.pageSize}; ${machine()}`;
  const cellText = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    head,
    '',
    '| Figure | Measured | Goal | Result |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.map(cellText).join(' | ')} |`),
  ].join('\n');
}
