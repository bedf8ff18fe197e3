// A session field of tens of megabytes, polled in a child process with the heap cap the Lambda runs with. The XML
// parser needs some 35 bytes of heap per character of one text node: without the cut in wire.ts a 30 MB field
// ends the process (every EM of the invocation with it) in an out-of-memory crash, poll after poll.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HEAP_MB } from '../../infra/poller/sizing.ts';
import { findCanary } from '../support/canary.ts';

const CHILD = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
const run = promisify(execFile);

describe('a field of absurd size under the Lambda heap cap', () => {
  it('a 30 MB FailureMessage is read, alerted (cut to what SNS carries), and memory stays bounded', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', CHILD, '30'],
      { timeout: 90_000, maxBuffer: 1024 * 1024 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toMatchObject({ status: 'ok', error: '', events: 1 });
    expect(result.failureMessage).toMatch(/Why +\[…cut \d+ characters\]$/);
    expect(result.maxRssMb).toBeLessThan(HEAP_MB + 128);
    // The password: in nothing the child printed, nor in anything its poll logged, published or stored.
    expect(findCanary(`${stdout}\n${stderr}`)).toEqual([]);
    expect(result.transcriptLines).toBeGreaterThan(0);
    expect(result.leaks).toEqual([]);
  }, 120_000);
});
