// An embedded, DynamoDB-compatible store (dynalite, on disk or in memory) for the CLI and the tests, and the
// table definition they create (the CDK stack defines the same keys for the real table).

import { once } from 'node:events';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export const TABLE_KEYS: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema'> = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
};

/** A DynamoDB client for a local endpoint; the credentials are placeholders a local server ignores. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
  });
}

/** Creates the state table unless it exists, and waits until it is ACTIVE (dynalite creates it asynchronously). */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', ...TABLE_KEYS }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let waited = 0; waited < 10_000; waited += 20) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await setTimeout(20);
  }
  throw new Error(`The local state table ${table} did not become ACTIVE within 10 s.`);
}

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite on a loopback port: in memory, or persisted under `path` (checked first: see `checkStateDir`). */
export async function startDynalite(path?: string): Promise<LocalDynamo> {
  if (path) await checkStateDir(path);
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Makes sure dynalite can keep its LevelDB store in `dir`, with one clear error if not. dynalite reports none: it
 * answers requests on a store that failed to open by throwing from its request handler, which ends the process
 * with a stack trace ("Database is closed"). So: create the directory, write to it, and open and close the store
 * as dynalite will. Another process that opens the store in the moment between that close and dynalite's open
 * still wins that way; that needs two polls started within a millisecond of each other.
 */
async function checkStateDir(dir: string): Promise<void> {
  const fail = (what: string, error: unknown) =>
    new Error(
      `state directory ${dir} ${what}: ${(error as Error).message}. Fix its permissions, or give another ` +
        'directory with --state DIR.',
      { cause: error },
    );
  try {
    makeDir(dir);
  } catch (error) {
    throw fail('cannot be created', error);
  }
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe);
  } catch (error) {
    throw fail('is not writable', error);
  }
  // dynalite's own LevelDB binding (its dependency, not ours), to open the store exactly as dynalite will.
  const { Level } = createRequire(createRequire(import.meta.url).resolve('dynalite'))('level') as {
    Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const store = new Level(dir);
  try {
    await store.open();
  } catch (error) {
    const cause = (error as Error).cause as (Error & { code?: string }) | undefined;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(
        `state directory ${dir} is in use by another replica-alerts poll (its lock is held): wait for that ` +
          'poll to end, or use another directory.',
        { cause },
      );
    }
    throw fail('cannot be opened', cause ?? error);
  }
  await store.close();
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir spins forever where a parent refuses children with
 * ENOENT (under /proc, for one).
 */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
    makeDir(dirname(dir));
    mkdirSync(dir); // the parent exists now; failing again (ENOENT) is final
  }
}
