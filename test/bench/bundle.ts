// Bundles with esbuild as infra/poller/poller.ts has the CDK do it, with the same options (POLLER_BUNDLING: ESM,
// node24, minified, source map, a createRequire banner; the AWS SDK included), and times how long the bundled
// handler takes to load in a fresh node: the part of a cold start the code controls. Bundles go under
// node_modules/.cache. No CDK here: the options come from a module that loads none.

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { POLLER_BUNDLING } from '../../infra/poller/bundling.ts';

const run = promisify(execFile);
export const OUT_DIR = join(process.cwd(), 'node_modules', '.cache', 'replica-alerts-bench');

/**
 * Bundles `entry` to `<OUT_DIR>/<name>/index.mjs` as the stack bundles the poller; returns the file. `minify`
 * false is for the benchmark's own child processes, which are not the Lambda's bundle.
 */
export async function bundle(
  entry: string,
  name: string,
  minify: boolean = POLLER_BUNDLING.minify,
): Promise<string> {
  const outfile = join(OUT_DIR, name, 'index.mjs');
  mkdirSync(join(OUT_DIR, name), { recursive: true });
  const { banner, mainFields, ...options } = POLLER_BUNDLING;
  await build({
    ...options,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    minify,
    mainFields: [...mainFields],
    banner: { js: banner },
    logLevel: 'error',
  });
  return outfile;
}

export interface BundleFigures {
  bytes: number;
  gzipBytes: number;
  /** Median of `runs` imports of the bundle, each in a fresh node process. */
  loadMs: number;
  loadRuns: number[];
}

/** A configuration the handler accepts at load without contacting anything (it only reads env then). */
const DUMMY_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'replica-alerts-state',
  TOPIC_EMAIL_ARN: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
  ENTERPRISE_MANAGERS: JSON.stringify([
    {
      name: 'em-prod',
      url: 'https://em.example.com:9398/api/',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf',
    },
  ]),
  SETTINGS: '{}',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // the Lambda runs Node 24; this host may not
};

const LOAD_SCRIPT = `
const started = performance.now();
const mod = await import(process.argv[1]);
const ms = performance.now() - started;
if (typeof mod.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms }));
`;

export async function measureHandler(entry: string, runs: number): Promise<BundleFigures> {
  const file = await bundle(entry, 'handler');
  const code = readFileSync(file);
  const loadRuns: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', LOAD_SCRIPT, file], {
      env: { PATH: process.env.PATH ?? '', ...DUMMY_ENV },
    });
    loadRuns.push((JSON.parse(stdout) as { ms: number }).ms);
  }
  const sorted = [...loadRuns].sort((a, b) => a - b);
  return {
    bytes: statSync(file).size,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    loadMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    loadRuns,
  };
}
