// `npm run bench`: the poller against a simulated Enterprise Manager at scale (issue 8, part 3).
//   npm run bench -- [--sessions 50000] [--latency 20] [--page-size 500] [--load-runs 5] [--heap-mb N] [--servers 50]
//     [--storm 2000] [--storm-only] [--smoke] [--json FILE]
// --heap-mb N: cap the poller's V8 heap at N MB, as the stack caps it at 3/4 of the function's memory (default 192,
//   what a 256 MB function would get: the RSS goal's size; 0 for unbounded). The first poll also runs once more
//   in a fresh process with the heap cap the stack deploys (384 MB of a 512 MB function): both RSS rows print.
// --servers N: backup servers of the second estate, a fifth of them quiet for hours and a tenth each collected late,
//   on a slow and on a fast clock (test/bench/estate.ts, serverMix); its steady poll is measured (default 50).
// --storm N: failed replica jobs in the storm, a first poll delivering them on four channels with DynamoDB 8 ms and
//   SNS 25 ms away, then the CLI's first poll of it with its embedded store (test/bench/storm.ts; default 2000).
// --storm-only: only the storm and its rows (its EM latency from --latency).
// --smoke: a few hundred sessions, little latency and a storm of 50, for CI (numbers printed, nothing asserted on
//   time).
// The simulator's account is its default user, with EM_PASSWORD as password when set (as for `npm run simulator`).
// 20 ms per request stands for an EM across a WAN or a busy EM; every request, logon and logoff included, pays it.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../../functions/em/config.ts';
import { DEFAULT_USER } from '../../functions/simulator/index.ts';
import { renderStormTable, renderTable } from './report.ts';
import { type BenchOptions, runBench, runStormOnly } from './run.ts';
import { STORM } from './storm.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string' },
    latency: { type: 'string' },
    'page-size': { type: 'string' },
    'load-runs': { type: 'string' },
    'heap-mb': { type: 'string' },
    servers: { type: 'string' },
    storm: { type: 'string' },
    'storm-only': { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    process.stderr.write(`--${name} must be a positive whole number, got ${text}\n`);
    process.exit(2);
  }
  return Number(text);
}

const smoke = values.smoke;
const options: BenchOptions = {
  sessions: integer('sessions', values.sessions, smoke ? 300 : 50_000),
  latencyMs: integer('latency', values.latency, smoke ? 2 : 20),
  pageSize: integer('page-size', values['page-size'], smoke ? 200 : DEFAULTS.pageSize),
  loadRuns: integer('load-runs', values['load-runs'], smoke ? 1 : 5),
  heapMb: values['heap-mb'] === '0' ? 0 : integer('heap-mb', values['heap-mb'], 192),
  servers: integer('servers', values.servers, 50),
  storm: integer('storm', values.storm, smoke ? STORM.smokeFailures : STORM.failures),
  progress: (line) => process.stderr.write(`${line}\n`),
};
const user = { ...DEFAULT_USER, password: process.env.EM_PASSWORD || DEFAULT_USER.password };
const [results, table] = values['storm-only']
  ? await runStormOnly(options, user).then((storm) => [storm, renderStormTable(storm, options.latencyMs)])
  : await runBench(options, user).then((all) => [all, renderTable(all)]);
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
process.stdout.write(`${table}\n`);
