// The command line run in-process, as the CLI suites run it: what a command prints, and its exit code.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../functions/cli/io.ts';
import { main } from '../../functions/cli/main.ts';

/** `main(argv)` with no terminal, no stdin and a fresh working directory; `io` sets the environment and clock. */
export async function runCli(
  argv: string[],
  io: Partial<Pick<Io, 'env' | 'now'>> = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: async () => '',
    onInterrupt: () => () => {},
    env: {},
    cwd: mkdtempSync(join(tmpdir(), 'ra-cli-')),
    now: () => new Date(),
    ...io,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
