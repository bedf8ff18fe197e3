// The whole-run canary guard (vitest globalSetup): every test user logs on with CANARY, so the run as a whole
// must show it nowhere. Printed output is checked where it is written (console.* by the config's onConsoleLog,
// process.stdout/stderr by canary-capture.ts in every worker), each find noted in a file; the temp directory
// is the run's own, so the files tests leave there are checked too, with the snapshots, at the end. A find
// fails the run: vitest only logs a teardown's error, so the teardown sets the exit code itself.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCanary, scanTree } from './canary.ts';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;
const SNAPSHOT = /(^|[/\\])__snapshots__[/\\]|\.snap$/;
/** tsx's cache of the sources it compiled for the processes tests start: test code names the canary. */
const TSX_CACHE = /^tsx-[^/\\]*[/\\]/;

/** Notes where the canary showed in `text`; `where` names the stream and the test. */
export function noteLeaks(where: string, text: string): void {
  const found = findCanary(text);
  if (!found.length) return;
  const file = process.env.CANARY_LEAKS;
  if (!file) throw new Error(`The canary showed in ${where}, and the canary guard is not running`);
  appendFileSync(file, `${where}: ${found.join(', ')}\n`);
}

/** Checks every chunk written to `stream`, once per stream however often a worker loads this. */
export function watchWrites(stream: NodeJS.WritableStream, where: () => string): void {
  const watched = stream as NodeJS.WritableStream & { canaryWatched?: true };
  if (watched.canaryWatched) return;
  watched.canaryWatched = true;
  const write = stream.write;
  stream.write = function (this: NodeJS.WritableStream, chunk: string | Uint8Array, ...rest: unknown[]) {
    noteLeaks(where(), typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1'));
    return Reflect.apply(write, this, [chunk, ...rest]);
  } as typeof stream.write;
}

export default function setup(): () => void {
  const run = mkdtempSync(join(tmpdir(), 'replica-alerts-test-'));
  const temp = join(run, 'tmp');
  mkdirSync(temp);
  const leaks = join(run, 'leaks.txt');
  appendFileSync(leaks, '');
  const saved = TEMP_VARIABLES.map((name) => process.env[name]);
  // Workers and the processes tests start inherit these: os.tmpdir() is the run's own from here on.
  for (const name of TEMP_VARIABLES) process.env[name] = temp;
  process.env.CANARY_LEAKS = leaks;

  return () => {
    TEMP_VARIABLES.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
    try {
      const found = [
        ...readFileSync(leaks, 'utf8').split('\n').filter(Boolean),
        ...scanTree(TEST_DIR, (path) => SNAPSHOT.test(path)),
        ...scanTree(temp, (path) => !TSX_CACHE.test(relative(temp, path))),
      ];
      if (found.length)
        throw new Error(`The canary password leaked (files kept in ${run}):\n${found.join('\n')}`);
    } catch (error) {
      process.exitCode = 1; // a teardown that cannot tell fails the run too
      throw error;
    }
    rmSync(run, { recursive: true, force: true });
  };
}
