// The benchmark, tiny (`--smoke`: a few hundred sessions, a storm of 50 failures): it must run to the end and print
// its table. Nothing is asserted on time or memory; CI machines vary too much for that, and the full run is
// `npm run bench`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HEAP_MB, MEMORY_MB } from '../../infra/poller/sizing.ts';
import { CANARY, findCanary } from '../support/canary.ts';
import { STORM } from './storm.ts';

const run = promisify(execFile);

/** Every row of docs/benchmarks.md's table, in order: a row gone or renamed fails here before the page goes stale. */
const FIGURES = [
  'Estate',
  "EM requests, first poll, vs the issue's minimum",
  'EM requests, first poll, vs the minimum the EM API allows',
  'EM requests, naive (1 per session)',
  'UIDs per task-session request',
  'First poll wall time (pollEm, all of it)',
  'First poll EM session (logon to logoff answered)',
  'First poll after the EM session (decide, state, delivery)',
  'Download floor (same GETs, sequential, unparsed)',
  'First poll / floor',
  'First poll EM session / floor',
  'Steady poll, nothing new',
  'Steady poll, 10 new sessions',
  'Estate, 50 backup servers',
  'Steady poll, 50 backup servers, nothing new',
  'Longest query URL, steady poll, 50 backup servers',
  'Peak RSS, first poll, heap capped for the goal',
  'Peak RSS, first poll, as deployed',
  'Lambda bundle (handler.ts, minified ESM)',
  'Handler module load (fresh node, median)',
  'DynamoDB operations, first poll',
  'DynamoDB operations, steady poll',
  'DynamoDB operations, steady + 10 new',
  'Events decided / published, first poll',
  'Storm, first poll (2,000 failures, 4 channels, DynamoDB 8 ms, SNS 25 ms)',
  'Storm, DynamoDB / SNS calls',
  'Storm, messages per channel',
  'Storm, CLI first poll (embedded state) / download floor',
];

const count = (value: number) => value.toLocaleString('en-US');
/** The rows of a smoke run: the storm is smaller there, and its first row says so. */
const SMOKE_FIGURES = FIGURES.map((figure) =>
  figure.replace(`(${count(STORM.failures)} failures`, `(${count(STORM.smokeFailures)} failures`),
);

describe('benchmark (smoke)', () => {
  it('completes and prints the table, never the password', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/bench/bench.ts', '--smoke'],
      {
        timeout: 120_000,
        env: { ...process.env, EM_PASSWORD: CANARY },
      },
    );
    expect(findCanary(stdout + stderr)).toEqual([]);
    const lines = stdout.split('\n');
    const head = lines.indexOf('| Figure | Measured | Goal | Result |');
    expect(head).toBeGreaterThan(-1);
    const rows = lines
      .slice(head + 2)
      .filter((line) => line.startsWith('| '))
      .map((line) => line.slice(2, -2).split(' | '));
    expect(rows.map(([figure]) => figure)).toEqual(SMOKE_FIGURES);
    for (const [figure, measured, , result] of rows) {
      expect(measured, figure).toMatch(/\d/); // a figure, measured
      expect(['PASS', 'MISS', ''], figure).toContain(result);
    }
    // The goal for many backup servers is a request count, not a time: it holds on any machine.
    const servers = rows.find(([figure]) => figure === 'Steady poll, 50 backup servers, nothing new');
    expect(servers?.[3]).toBe('PASS');
    // Every failure of the storm is an event of its own on the events channel, delivered in that one poll.
    const storm = rows.find(([figure]) => figure === 'Storm, messages per channel');
    expect(storm?.[1]).toMatch(
      new RegExp(`, events ${STORM.smokeFailures} \\(${STORM.smokeFailures} events decided,`),
    );
    expect(storm?.[1]).toMatch(/ 0 pending; the CLI printed the same\)$/);
    // Both RSS rows come from one run: the goal's heap cap and the deployed one.
    const deployed = rows.find(([figure]) => figure === 'Peak RSS, first poll, as deployed');
    expect(deployed?.[1]).toMatch(
      new RegExp(`^\\d+ MB \\(${MEMORY_MB} MB function, heap cap ${HEAP_MB} MB;`),
    );
  }, 120_000);
});
