// The benchmark, tiny (`--smoke`: a few hundred sessions): it must run to the end and print its table. Nothing
// is asserted on time or memory; CI machines vary too much for that, and the full run is `npm run bench`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CANARY, findCanary } from './support/canary.ts';

const run = promisify(execFile);

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
    expect(stdout).toContain('| Figure | Measured | Goal | Result |');
    for (const figure of ['EM requests, first poll', 'First poll / floor', 'Peak RSS', 'DynamoDB operations'])
      expect(stdout).toContain(`| ${figure}`);
  }, 120_000);
});
