// The benchmark's parent process: hosts the EM simulator (with a per-request latency) and dynalite, and drives a
// poller child process through a first poll, two steady-state polls and a plain download of the same pages; then
// a steady poll of an estate of many backup servers, some late, quiet or on a skewed clock.

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { MINUTE } from '../../functions/duration.ts';
import {
  type RequestRecord,
  type Simulator,
  startSimulator,
  type User,
} from '../../functions/simulator/index.ts';
import { ensureTable, localClient, startDynalite } from '../../functions/state/local.ts';
import { HEAP_MB, MEMORY_MB } from '../../infra/poller/sizing.ts';
import { type BundleFigures, bundle, measureHandler } from './bundle.ts';
import {
  clientUrl,
  type ServerMix,
  serverEstate,
  serverMix,
  settledEstate,
  tenNewSessions,
  type Yardstick,
  yardstick,
} from './estate.ts';
import type { ChildConfig, FloorResult, FromChild, PollResult, ReplayRequest, ToChild } from './protocol.ts';

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
}

/** The first poll again, in a fresh process with the heap cap the stack deploys (infra/poller/environment.ts). */
export interface DeployedFigures {
  heapMb: number;
  memoryMb: number;
  result: PollResult;
  childBaselineRss: number;
}

export interface PollFigures {
  result: PollResult;
  requests: number;
  /** Requests by kind: logon, logoff, and the entity type of each query. */
  breakdown: Record<string, number>;
  /** From the logon's arrival at the EM to the logoff's answer: the poll's EM session alone. */
  emPhaseMs: number;
  /** Longest task-session URL the client sent, rebuilt from the simulator's log. */
  longestUrl: number;
  /** Per entity type, the longest query URL sent (rebuilt likewise) and the filter it carried. */
  longestQuery: Record<string, { chars: number; filter: string }>;
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
/** The SDK warns once per process that Node 20 support ends; the Lambda runs Node 24 anyway. */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** `user` is the simulator's one account, the poller's credentials: kept out of the results (and `--json`). */
export async function runBench(options: BenchOptions, user: User): Promise<BenchResults> {
  const { progress } = options;
  Object.assign(process.env, QUIET_SDK);
  const started = Date.now();
  const step = (what: string) => progress(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
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
    step('bundling the poller child');
    const childFile = await bundle(join(ROOT, 'test/bench/poller-child.ts'), 'poller-child', false);
    const config: ChildConfig = {
      emUrl: sim.url,
      user,
      dynamoEndpoint: dynamo.endpoint,
      pageSize: options.pageSize,
      lookback: LOOKBACK_MIN,
      heapMb: options.heapMb,
    };
    // The polls run in a fresh process: a cold start, and a peak RSS that is the first poll's own.
    step('first poll (fresh process, whole 31-day window)');
    const child = new PollerChild(childFile, config);
    children.push(child.process);
    const baseline = (await child.ready).maxRss;
    const first = await timed(() => child.poll('bench', sim.clock.now()));
    // The same GETs again, at the same simulated time, so every answer is the same; the simulator is warm now,
    // which if anything favours the floor.
    const replay: ReplayRequest[] = first.log
      .filter((r) => r.method === 'GET')
      .map(({ path, query }) => ({ path, query }));
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

type Measured = Awaited<ReturnType<typeof measure>>;

function pollFigures(m: Measured, apiBase: string): PollFigures {
  const longestQuery: PollFigures['longestQuery'] = {};
  for (const r of m.log) {
    const type = r.query.type;
    if (type === undefined) continue;
    const chars = clientUrl(apiBase, r.query).length;
    if (chars > (longestQuery[type]?.chars ?? -1))
      longestQuery[type] = { chars, filter: r.query.filter ?? '' };
  }
  return {
    result: m.result,
    requests: m.log.length,
    breakdown: breakdown(m.log),
    emPhaseMs: m.emPhaseMs,
    longestUrl: Math.max(
      0,
      ...Object.entries(longestQuery)
        .filter(([type]) => type.endsWith('TaskSession'))
        .map(([, q]) => q.chars),
    ),
    longestQuery,
  };
}

/** When each request reached the simulator, parallel to `sim.requests` (it logs no times of its own). */
function stampArrivals(sim: Simulator): number[] {
  const arrivals: number[] = [];
  const log = sim.requests;
  log.push = (...items) => {
    for (const _ of items) arrivals.push(performance.now());
    return Array.prototype.push.apply(log, items);
  };
  return arrivals;
}

/** Runs one poll and returns it with the EM requests it made (from the simulator's log) and their times. */
async function measure(
  sim: Simulator,
  arrivals: number[],
  latencyMs: number,
  poll: () => Promise<PollResult>,
) {
  const before = sim.requests.length;
  const result = await poll();
  if (result.summary.status !== 'ok') throw new Error(`The poll failed: ${JSON.stringify(result.summary)}`);
  const log = sim.requests.slice(before);
  const times = arrivals.slice(before);
  // The logoff is answered `latencyMs` after it arrives (it does no work).
  const emPhaseMs = (times.at(-1) ?? 0) + latencyMs - (times[0] ?? 0);
  return { result, log, emPhaseMs };
}

function breakdown(log: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) {
    // `/api/backupServers` reads as `backupServers`.
    const kind =
      r.method === 'POST'
        ? 'logon'
        : r.method === 'DELETE'
          ? 'logoff'
          : (r.query.type ?? r.path.replace(/^.*\/(?=[^/])|\/$/g, ''));
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** The poller process: plain node on the bundled child, so no TypeScript loader counts in its memory. */
class PollerChild {
  readonly process: ChildProcess;
  readonly ready: Promise<{ maxRss: number }>;

  constructor(file: string, config: ChildConfig) {
    this.process = fork(file, [JSON.stringify(config)], {
      // A 256 MB Lambda's runtime caps V8's heap below the function's memory; model that cap (0: unbounded).
      execArgv: config.heapMb ? [`--max-old-space-size=${config.heapMb}`] : [],
      env: { ...process.env, ...QUIET_SDK },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = this.next('ready');
  }

  poll(table: string, now: string): Promise<PollResult> {
    return this.ask({ kind: 'poll', table, now }, 'poll');
  }

  floor(requests: ReplayRequest[]): Promise<FloorResult> {
    return this.ask({ kind: 'floor', requests }, 'floor');
  }

  async exit(): Promise<void> {
    const exited = once(this.process, 'exit');
    this.process.send({ kind: 'exit' } satisfies ToChild);
    await exited;
  }

  private ask<K extends FromChild['kind']>(
    message: ToChild,
    kind: K,
  ): Promise<Extract<FromChild, { kind: K }>> {
    const answer = this.next(kind);
    this.process.send(message);
    return answer;
  }

  private next<K extends FromChild['kind']>(kind: K): Promise<Extract<FromChild, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`The poller child exited (${code}).`));
      this.process.once('exit', onExit);
      this.process.once('message', (message: FromChild) => {
        this.process.off('exit', onExit);
        if (message.kind === kind) resolve(message as Extract<FromChild, { kind: K }>);
        else
          reject(
            new Error(message.kind === 'error' ? message.message : `Expected ${kind}, got ${message.kind}`),
          );
      });
    });
  }
}
