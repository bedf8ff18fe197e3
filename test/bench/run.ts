// The benchmark's parent process: hosts the EM simulator (with a per-request latency) and dynalite, and drives a
// poller child process through a first poll, two steady-state polls and a plain download of the same pages; then
// a steady poll of an estate of many backup servers, some late, quiet or on a skewed clock; then a storm of
// failures delivered through DynamoDB and SNS at a distance (storm.ts).

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { MINUTE } from '../../functions/duration.ts';
import { startSimulator, type User } from '../../functions/simulator/index.ts';
import { ensureTable, localClient, startDynalite } from '../../functions/state/local.ts';
import { HEAP_MB, MEMORY_MB } from '../../infra/poller/sizing.ts';
import { type BundleFigures, bundle, measureHandler } from './bundle.ts';
import {
  type ServerMix,
  serverEstate,
  serverMix,
  settledEstate,
  tenNewSessions,
  type Yardstick,
  yardstick,
} from './estate.ts';
import { type Measured, measure, type PollFigures, pollFigures, replayOf, stampArrivals } from './measure.ts';
import { PollerChild, QUIET_SDK } from './poller-process.ts';
import type { ChildConfig, FloorResult, PollResult } from './protocol.ts';
import { runStorm, type StormFigures } from './storm.ts';

export interface BenchOptions {
  sessions: number;
  latencyMs: number;
  pageSize: number;
  /** Fresh node processes the handler bundle is loaded in (the median is reported). */
  loadRuns: number;
  /** Progress lines go here (stderr), the table to stdout. */
  progress: (line: string) => void;
  /** V8 heap cap of the poller in MB, as a Lambda's runtime sets one below the function's memory; 0 unbounded. */
  heapMb: number;
  /** Backup servers of the second estate (`serverMix`: a fifth quiet, a tenth each late, slow and fast). */
  servers: number;
  /** Failed replica jobs in the storm (storm.ts). */
  storm: number;
}

/** The first poll again, in a fresh process with the heap cap the stack deploys (infra/poller/environment.ts). */
export interface DeployedFigures {
  heapMb: number;
  memoryMb: number;
  result: PollResult;
  childBaselineRss: number;
}

/** The estate of many backup servers: its steady poll (nothing new), after a first poll of its two days. */
export interface ServerFigures {
  mix: ServerMix;
  days: number;
  quietHours: number;
  sessions: { replica: number; cdp: number; policies: number };
  steady: PollFigures;
}

export interface BenchResults {
  options: BenchOptions;
  yardstick: Yardstick;
  first: PollFigures;
  floor: FloorResult;
  steady: PollFigures;
  steadyNew: PollFigures;
  servers: ServerFigures;
  storm: StormFigures;
  bundle: BundleFigures;
  childBaselineRss: number;
  deployed: DeployedFigures;
}

/** Fixed, so every run serves the same estate. */
const NOW = '2026-11-25T06:00:00.000Z';
/** 31 days, the largest lookback the settings allow: the first poll reads the whole 30-day estate. */
const LOOKBACK_MIN = 31 * 24 * 60;
/** Days of history in the estate of many servers: enough for every server, daily ones included, to have run. */
const SERVER_DAYS = 2;
const ROOT = process.cwd();

/** `user` is the simulator's one account, the poller's credentials: kept out of the results (and `--json`). */
export async function runBench(options: BenchOptions, user: User): Promise<BenchResults> {
  const step = stepper(options.progress);
  step(`generating ${options.sessions} replica job sessions`);
  const scenario = settledEstate(options.sessions, NOW);
  const sim = await startSimulator({ scenario, latencyMs: options.latencyMs, users: [user] });
  const arrivals = stampArrivals(sim);
  const timed = (poll: () => Promise<PollResult>) => measure(sim, arrivals, options.latencyMs, poll);
  const dynamo = await startDynalite();
  const children: ChildProcess[] = [];
  try {
    const client = localClient(dynamo.endpoint);
    await ensureTable(client, 'bench');
    const ruler = yardstick(scenario, NOW, options.pageSize, sim.url);
    const childFile = await bundleChild(step);
    const config = childConfig(options, user, sim.url, dynamo.endpoint);
    // The polls run in a fresh process: a cold start, and a peak RSS that is the first poll's own.
    step('first poll (fresh process, whole 31-day window)');
    const child = new PollerChild(childFile, config);
    children.push(child.process);
    const baseline = (await child.ready).maxRss;
    const first = await timed(() => child.poll('bench', sim.clock.now()));
    // The same GETs again, at the same simulated time, so every answer is the same; the simulator is warm now,
    // which if anything favours the floor.
    const replay = replayOf(first.log);
    step(`download floor: ${replay.length + 2} requests replayed sequentially without parsing`);
    const floor = await child.floor(replay);
    // Before the clock moves: the same first poll, on its own table, in a process capped as deployed.
    step(`first poll again, fresh process, heap capped at ${HEAP_MB} MB as deployed`);
    const deployedChild = new PollerChild(childFile, { ...config, heapMb: HEAP_MB });
    children.push(deployedChild.process);
    await ensureTable(client, 'bench-deployed');
    const deployedBaseline = (await deployedChild.ready).maxRss;
    const deployedFirst = await timed(() => deployedChild.poll('bench-deployed', sim.clock.now()));
    await deployedChild.exit();
    sim.clock.advance(5 * MINUTE);
    step('steady-state poll, nothing new');
    const steady = await timed(() => child.poll('bench', sim.clock.now()));
    // Created a minute after the last poll and over (five minutes long) by the next one.
    sim.add(tenNewSessions(scenario, new Date(Date.parse(sim.clock.now()) + MINUTE).toISOString()));
    sim.clock.advance(10 * MINUTE);
    step('steady-state poll, 10 new sessions');
    const steadyNew = await timed(() => child.poll('bench', sim.clock.now()));
    await child.exit();

    step(`${options.servers} backup servers: first poll of ${SERVER_DAYS} days, then a steady poll`);
    await ensureTable(client, 'bench-servers');
    const serverConfig = { ...config, lookback: SERVER_DAYS * 24 * 60 };
    const servers = await manyServers({ options, user, childFile, config: serverConfig, children });

    step(`storm: ${options.storm} failed replica jobs, DynamoDB and SNS at a distance`);
    const storm = await runStorm({
      failures: options.storm,
      latencyMs: options.latencyMs,
      user,
      childFile,
      config,
      dynamo: { endpoint: dynamo.endpoint, client },
      children,
      now: NOW,
      step,
    });

    step('bundling the Lambda handler and timing its module load');
    const handler = await measureHandler(join(ROOT, 'functions/poller/handler.ts'), options.loadRuns);
    step('done');
    const figures = (m: Measured) => pollFigures(m, sim.url);
    return {
      options,
      yardstick: ruler,
      first: figures(first),
      floor,
      steady: figures(steady),
      steadyNew: figures(steadyNew),
      servers,
      storm,
      bundle: handler,
      childBaselineRss: baseline,
      deployed: {
        heapMb: HEAP_MB,
        memoryMb: MEMORY_MB,
        result: deployedFirst.result,
        childBaselineRss: deployedBaseline,
      },
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await sim.close();
    await dynamo.close();
  }
}

/** Only the storm (`--storm-only`), with what it needs of the benchmark: dynalite and the bundled poller child. */
export async function runStormOnly(options: BenchOptions, user: User): Promise<StormFigures> {
  const step = stepper(options.progress);
  const dynamo = await startDynalite();
  const children: ChildProcess[] = [];
  try {
    const childFile = await bundleChild(step);
    return await runStorm({
      failures: options.storm,
      latencyMs: options.latencyMs,
      user,
      childFile,
      config: childConfig(options, user, '', dynamo.endpoint), // the storm's own EM replaces the URL
      dynamo: { endpoint: dynamo.endpoint, client: localClient(dynamo.endpoint) },
      children,
      now: NOW,
      step,
    });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await dynamo.close();
  }
}

/** Progress lines, each with the seconds since the benchmark started; quiet SDK warnings from here on. */
function stepper(progress: BenchOptions['progress']): (what: string) => void {
  Object.assign(process.env, QUIET_SDK);
  const started = Date.now();
  return (what) => progress(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
}

function bundleChild(step: (what: string) => void): Promise<string> {
  step('bundling the poller child');
  return bundle(join(ROOT, 'test/bench/poller-child.ts'), 'poller-child', false);
}

function childConfig(options: BenchOptions, user: User, emUrl: string, dynamoEndpoint: string): ChildConfig {
  return {
    emUrl,
    user,
    dynamoEndpoint,
    pageSize: options.pageSize,
    lookback: LOOKBACK_MIN,
    heapMb: options.heapMb,
  };
}

/**
 * The estate of `serverMix(options.servers)` on a simulator of its own, with each server's timing: a first poll in
 * a fresh child, five minutes, then the steady poll measured (the first that lists the backup servers).
 */
async function manyServers({
  options,
  user,
  childFile,
  config,
  children,
}: {
  options: BenchOptions;
  user: User;
  /** The bundled poller child. */
  childFile: string;
  config: ChildConfig;
  /** Where the child started here is listed, for the caller to kill if the run fails. */
  children: ChildProcess[];
}): Promise<ServerFigures> {
  const mix = serverMix(options.servers);
  const estate = serverEstate(mix, NOW, SERVER_DAYS);
  const sim = await startSimulator({
    scenario: estate.scenario,
    latencyMs: options.latencyMs,
    users: [user],
    backupServers: estate.timings,
  });
  try {
    const arrivals = stampArrivals(sim);
    const child = new PollerChild(childFile, { ...config, emUrl: sim.url });
    children.push(child.process);
    await child.ready;
    await measure(sim, arrivals, options.latencyMs, () => child.poll('bench-servers', sim.clock.now()));
    sim.clock.advance(5 * MINUTE);
    const steady = await measure(sim, arrivals, options.latencyMs, () =>
      child.poll('bench-servers', sim.clock.now()),
    );
    await child.exit();
    return {
      mix,
      days: SERVER_DAYS,
      quietHours: estate.quietHours,
      sessions: {
        replica: estate.scenario.replicaJobSessions.length,
        cdp: estate.scenario.cdpReplicaSessions.length,
        policies: new Set(estate.scenario.cdpReplicaSessions.map((c) => c.policyUid)).size,
      },
      steady: pollFigures(steady, sim.url),
    };
  } finally {
    await sim.close();
  }
}
