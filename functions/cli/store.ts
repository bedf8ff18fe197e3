// Where the CLI keeps state: an embedded, DynamoDB-compatible store on disk (dynalite, `--state DIR`) or a DynamoDB
// table (`--table`), opened the same way for `poll` and `silence`.

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../poller/clients.ts';
import { ensureTable, localClient, startDynalite } from '../state/local.ts';
import { SetupError, UsageError } from './args.ts';
import type { Io } from './io.ts';

export const STORE_OPTIONS = {
  state: { type: 'string' },
  table: { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const;

export const STORE_HELP = `  --state DIR            keep state on disk in DIR (default .replica-alerts; one command at a time uses it)
  --table NAME           keep state in this DynamoDB table instead (AWS credentials from the environment)
  --endpoint-url URL     DynamoDB endpoint for --table (e.g. DynamoDB Local)`;

const LOCAL_TABLE = 'replica-alerts';

export interface OpenTable {
  client: DynamoDBClient;
  table: string;
  close(): Promise<void>;
}

export async function openTable(
  values: { state?: string | undefined; table?: string | undefined; 'endpoint-url'?: string | undefined },
  io: Io,
): Promise<OpenTable> {
  if (values.state && values.table)
    throw new UsageError('--state and --table exclude each other: pick one store.');
  if (values['endpoint-url'] && !values.table)
    throw new UsageError('--endpoint-url is the DynamoDB endpoint of --table: give --table NAME too.');
  if (values.table) {
    const endpoint = values['endpoint-url'];
    const client = dynamoClient(endpoint ? { endpoint } : {});
    try {
      await checkTable(client, values.table, endpoint);
    } catch (error) {
      client.destroy();
      throw error;
    }
    return { client, table: values.table, close: async () => client.destroy() };
  }
  const dir = values.state ?? `${io.cwd}/.replica-alerts`;
  const local = await startDynalite(dir);
  const client = localClient(local.endpoint);
  await ensureTable(client, LOCAL_TABLE);
  return {
    client,
    table: LOCAL_TABLE,
    close: async () => {
      client.destroy();
      await local.close();
    },
  };
}

/** The table `--table` names, usable before anything is read: else one line on what to set or create. */
async function checkTable(
  client: DynamoDBClient,
  table: string,
  endpoint: string | undefined,
): Promise<void> {
  const region = await client.config.region().catch(() => undefined);
  if (!region) {
    throw new SetupError(
      `--table ${table}: no AWS region is set; set AWS_REGION (e.g. AWS_REGION=eu-west-1) or AWS_PROFILE ` +
        'to a profile with a region.',
    );
  }
  const where = `in ${region}${endpoint ? ` at ${endpoint}` : ''}`;
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ResourceNotFoundException') {
      throw new SetupError(
        `--table ${table}: there is no such DynamoDB table ${where}; create it with partition key pk and ` +
          'sort key sk, both strings, and TTL on expiresAt (docs/state.md), or keep state on ' +
          'disk with --state DIR.',
      );
    }
    if (name === 'CredentialsProviderError') {
      throw new SetupError(
        `--table ${table}: no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
          'AWS_SECRET_ACCESS_KEY, or keep state on disk with --state DIR.',
      );
    }
    throw new Error(`--table ${table}: DynamoDB ${where} answered ${name}: ${(error as Error).message}`);
  }
}
