// The storm (issue 14, part 3): a first poll of one EM that finds `failures` replica jobs failed within the day, each
// on one VM with its reason, delivered on all four channels with DynamoDB and SNS at a distance: dynalite behind a
// proxy that holds each request `STORM.dynamoMs`, SNS a local endpoint answering after `STORM.snsMs`. The poll runs
// in a fresh poller child as the Lambda runs it (pollEm, DynamoStateStore, SnsNotifier, the SDK's clients); the same
// GETs are then replayed (the download floor), and the CLI polls the same storm with its embedded store.

import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import { HOUR, MINUTE } from '../../functions/duration.ts';
import { CHANNELS, type Channel } from '../../functions/messages/types.ts';
import {
  FAILURE_REASONS,
  type Scenario,
  ScenarioBuilder,
  startSimulator,
  type User,
} from '../../functions/simulator/index.ts';
import { ensureTable } from '../../functions/state/local.ts';
import { HEAP_MB } from '../../infra/poller/sizing.ts';
import { startFakeAws } from '../support/fake-aws.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { measure, type PollFigures, pollFigures, replayOf, stampArrivals } from './measure.ts';
import { PollerChild, QUIET_SDK } from './poller-process.ts';
import type { ChildConfig, CliConfig, CliResult, FloorResult } from './protocol.ts';

const run = promisify(execFile);

/** The storm's size (`--storm`; `--smoke` takes the small one) and the latencies of DynamoDB and SNS. */
export const STORM = { failures: 2_000, smokeFailures: 50, dynamoMs: 8, snsMs: 25 } as const;

const TABLE = 'bench-storm';
const SERVERS = 4;
const topicArn = (channel: Channel) => `arn:aws:sns:eu-west-1:123456789012:replica-alerts-${channel}`;
const TOPICS = Object.fromEntries(CHANNELS.map((channel) => [channel, topicArn(channel)])) as Record<
  Channel,
  string
>;

export interface StormFigures {
  failures: number;
  dynamoMs: number;
  snsMs: number;
  poll: PollFigures;
  /** Requests the DynamoDB proxy forwarded, by operation, and their durations added up (its delay included). */
  dynamo: { operations: Record<string, number>; busyMs: number };
  /** SNS calls by Action, and per channel the calls to its topic and the messages they carried. */
  sns: { calls: Record<string, number>; channels: Record<Channel, { calls: number; messages: number }> };
  /** The storm poll's GETs replayed, one after another, unparsed. */
  floor: FloorResult;
  /** The CLI's first poll of the same storm, embedded store, every channel printed. */
  cli: CliResult;
}

/**
 * `failures` replica jobs on `SERVERS` backup servers, one run each within the default 24-hour lookback and ended
 * at least 45 minutes before `now` (past the retry hold), two VMs per run, one of them Failed with a reason.
 */
export function stormEstate(failures: number, now: string): Scenario {
  const s = new ScenarioBuilder({ now, seed: 'storm' });
  const end = Date.parse(now);
  for (let i = 0; i < failures; i++) {
    const id = String(i + 1).padStart(4, '0');
    const job = s.replicaJob(`Replica ${id}`, { backupServer: `vbr0${(i % SERVERS) + 1}.tech.local` });
    const reason = s.random.pick(FAILURE_REASONS);
    job.run({
      start: new Date(end - HOUR - Math.floor((i * 20 * HOUR) / failures / MINUTE) * MINUTE).toISOString(),
      durationMin: 15,
      vms: [`app${id}`, { name: `db${id}`, result: 'Failed', reason }],
    });
  }
  return s.build();
}

export interface StormRun {
  failures: number;
  latencyMs: number;
  user: User;
  /** The bundled poller child, and the benchmark's config for it (EM, DynamoDB and SNS are replaced here). */
  childFile: string;
  config: ChildConfig;
  /** dynalite, to create the storm's table on; the poll reaches it through the proxy. */
  dynamo: { endpoint: string; client: DynamoDBClient };
  /** Where the child started here is listed, for the caller to kill if the run fails. */
  children: ChildProcess[];
  now: string;
  step: (what: string) => void;
}

export async function runStorm(r: StormRun): Promise<StormFigures> {
  await ensureTable(r.dynamo.client, TABLE);
  const sim = await startSimulator({
    scenario: stormEstate(r.failures, r.now),
    latencyMs: r.latencyMs,
    users: [r.user],
  });
  const proxy = await startLatencyProxy(r.dynamo.endpoint, STORM.dynamoMs);
  const sns = await startFakeAws({}, { delayMs: STORM.snsMs });
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-storm-'));
  try {
    const arrivals = stampArrivals(sim);
    const child = new PollerChild(r.childFile, {
      ...r.config,
      emUrl: sim.url,
      dynamoEndpoint: proxy.endpoint,
      sns: { endpoint: sns.endpoint, topics: TOPICS },
      lookback: DEFAULT_SETTINGS.lookback,
      heapMb: HEAP_MB,
    });
    r.children.push(child.process);
    await child.ready;
    r.step(`storm: first poll, ${r.failures} failures, 4 channels (fresh process, heap capped as deployed)`);
    const poll = await measure(sim, arrivals, r.latencyMs, () => child.poll(TABLE, r.now));
    r.step('storm: download floor');
    const floor = await child.floor(replayOf(poll.log));
    await child.exit();
    r.step('storm: the CLI, embedded store');
    const cli = await cliPoll({ emUrl: sim.url, now: r.now, stateDir }, r.user);
    const channels = Object.fromEntries(
      CHANNELS.map((channel) => [channel, sns.topics[TOPICS[channel]] ?? { calls: 0, messages: 0 }]),
    ) as StormFigures['sns']['channels'];
    return {
      failures: r.failures,
      dynamoMs: STORM.dynamoMs,
      snsMs: STORM.snsMs,
      poll: pollFigures(poll, sim.url),
      dynamo: { operations: { ...proxy.operations }, busyMs: proxy.busyMs() },
      sns: { calls: { ...sns.snsCalls }, channels },
      floor,
      cli,
    };
  } finally {
    await sim.close();
    await proxy.close();
    await sns.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** `replica-alerts poll` in a fresh process (test/bench/cli-child.ts), the credentials in its environment. */
async function cliPoll(config: CliConfig, user: User): Promise<CliResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(process.cwd(), 'test/bench/cli-child.ts'), JSON.stringify(config)],
    {
      env: { ...process.env, ...QUIET_SDK, EM_USERNAME: user.username, EM_PASSWORD: user.password },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`The CLI child printed no result:\n${stdout}`);
  const result = JSON.parse(line.slice('RESULT '.length)) as CliResult;
  if (result.code !== 0)
    throw new Error(`The CLI's poll failed (${result.code}): ${result.stderr.join('\n')}`);
  return result;
}
