// DynamoDB Local (AWS's own emulator, a Java jar) for the state-store suite, so it runs against AWS's
// implementation as well as dynalite. The jar ships inside the npm package amplify-dynamodb-simulator; its JS
// wrapper needs the Amplify CLI, so only the `emulator/` folder is unpacked (from the npm registry, once, into
// node_modules/.cache) and the jar is started directly. Needs a Java runtime (17 here and in CI).

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const VERSION = '2.9.30';
const PACKAGE = `amplify-dynamodb-simulator@${VERSION}`;
// The registry's published integrity for that version: outside the lockfile, so pinned here.
const INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';
const CACHE = join(process.cwd(), 'node_modules', '.cache', 'dynamodb-local', VERSION);

/**
 * The unpacked emulator folder, downloaded from the npm registry on first use and checked against INTEGRITY.
 * Unpacked beside the cache and renamed into place, so test files starting at once never see a half-written jar.
 */
export async function dynamoDbLocalDir(): Promise<string> {
  const dir = join(CACHE, 'emulator');
  if (existsSync(join(dir, 'DynamoDBLocal.jar'))) return dir;
  const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  try {
    const { stdout } = await run('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work]);
    const tarball = join(work, stdout.trim().split('\n').pop() ?? '');
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== INTEGRITY) {
      throw new Error(`${PACKAGE} from the registry has integrity ${integrity}, not the pinned ${INTEGRITY}`);
    }
    await run('tar', ['xzf', tarball, '-C', work, 'package/emulator']);
    mkdirSync(CACHE, { recursive: true });
    try {
      renameSync(join(work, 'package', 'emulator'), dir);
    } catch (error) {
      if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw error; // else another test file won the race
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

export interface DynamoDbLocal {
  endpoint: string;
  close(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      socket.setTimeout(500, () => done(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`DynamoDB Local did not listen on port ${port} within ${timeoutMs} ms`);
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const dir = await dynamoDbLocalDir();
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
    ].concat(['-port', String(port), '-disableTelemetry']),
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir }, // it writes a metadata file into its working directory
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with ${code}: ${output}`)));
    child.once('error', (error) =>
      reject(new Error(`DynamoDB Local could not start (${error.message}): it needs a Java runtime on PATH`)),
    );
  });
  await Promise.race([waitForPort(port, 30_000), exited]);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
