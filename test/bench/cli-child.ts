// The CLI side of the storm, in its own process: `replica-alerts poll --state DIR --output sns` through the CLI's own
// `main`, so with its embedded store (dynalite on disk, in this process, no latency) and all four channels printed
// (nothing published: no --topic). Its clock is the EM's simulated time; what it prints is counted, not kept, and
// so are the commands its DynamoDB client sends (the CLI builds that client itself: counted on the prototype). Its
// one line on stdout: RESULT and what the poll took. Run with `node --import tsx`: every module is loaded before
// the clock starts.

import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { processIo } from '../../functions/cli/io.ts';
import { main } from '../../functions/cli/main.ts';
import type { CliConfig, CliResult } from './protocol.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as CliConfig;
const dynamo: Record<string, number> = {};
const send = DynamoDBClient.prototype.send;
DynamoDBClient.prototype.send = function (this: DynamoDBClient, ...args: unknown[]) {
  const name = (args[0] as object).constructor.name.replace(/Command$/, '');
  dynamo[name] = (dynamo[name] ?? 0) + 1;
  return Reflect.apply(send, this, args);
} as typeof send;
const printed: Record<string, number> = {};
const stderr: string[] = [];
const started = performance.now();
const code = await main(['poll', '--em-url', config.emUrl, '--state', config.stateDir, '--output', 'sns'], {
  ...processIo,
  out: (line) => {
    const channel = /^\{"channel":"(\w+)"/.exec(line)?.[1] ?? '?';
    printed[channel] = (printed[channel] ?? 0) + 1;
  },
  err: (line) => stderr.push(line),
  progress: undefined,
  now: () => new Date(config.now),
});
const result: CliResult = { code, wallMs: performance.now() - started, printed, dynamo, stderr };
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
