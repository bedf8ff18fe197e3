// The poller side of the benchmark, in its own process: real pollEm (EM client over HTTP, alert engine, the
// DynamoDB store through the Lambda's own client), a notifier that only counts or, given topics, the Lambda's SNS
// notifier, and a middleware that counts DynamoDB commands.
// The benchmark bundles this file with esbuild and runs it with plain node, so no TypeScript loader inflates RSS.

import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import { MINUTE } from '../../functions/duration.ts';
import { type Notifier, SnsNotifier } from '../../functions/notify/notifier.ts';
import { dynamoClient, snsClient } from '../../functions/poller/clients.ts';
import type { EmTarget } from '../../functions/poller/env.ts';
import { type PollerDeps, pollEm } from '../../functions/poller/poll.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import type { ChildConfig, FloorResult, FromChild, PollResult, ReplayRequest, ToChild } from './protocol.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const send = (message: FromChild) => process.send?.(message);

// The Lambda's clients (functions/poller/clients.ts: its retries) with an endpoint and dummy credentials. Not
// state/local.ts: that module loads dynalite, which would count in this process's RSS. The benchmark creates the
// tables.
const local = { region: 'eu-west-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const dynamo = dynamoClient({ ...local, endpoint: config.dynamoEndpoint });
let counts: Record<string, number> = {};
dynamo.middlewareStack.add(
  (next, context) => async (args) => {
    const name = context.commandName ?? '?';
    counts[name] = (counts[name] ?? 0) + 1;
    return next(args);
  },
  { step: 'initialize', name: 'benchCountCommands' },
);

const notifier: Notifier = config.sns
  ? new SnsNotifier(snsClient({ ...local, endpoint: config.sns.endpoint }), config.sns.topics)
  : { channels: ['chat', 'email', 'events', 'sms'], publish: async () => {} };
const quiet = { info() {}, warn() {}, error() {} };
const target: EmTarget = { name: 'em-bench', url: config.emUrl };

async function poll(table: string, now: string): Promise<PollResult> {
  counts = {};
  const deps: PollerDeps = {
    store: new DynamoStateStore(dynamo, table),
    notifier,
    credentials: async () => config.user,
    now: () => new Date(now),
    log: quiet,
  };
  let sampledRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    sampledRss = Math.max(sampledRss, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  const summary = await pollEm(target, deps, {
    // Read the whole estate, as a first poll with a long history does; alert only on the default 24-hour lookback.
    settings: DEFAULT_SETTINGS,
    historyMs: config.lookback * MINUTE,
    em: { pageSize: config.pageSize },
  });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  return {
    kind: 'poll',
    summary,
    wallMs,
    dynamo: counts,
    maxRss: process.resourceUsage().maxRSS * 1024,
    sampledRss,
    heapUsed: process.memoryUsage().heapUsed,
  };
}

/** The same GETs the poll made, one after another, bodies read and dropped: what the network alone costs. */
async function floor(requests: ReplayRequest[]): Promise<FloorResult> {
  const base = new URL(config.emUrl);
  const started = performance.now();
  let bytes = 0;
  const basic = Buffer.from(`${config.user.username}:${config.user.password}`).toString('base64');
  const logon = await request(new URL('sessionMngr/?v=latest', base), {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}` },
  });
  const token = String(logon.headers['x-restsvcsessionid']);
  const sessionId = /<SessionId>([^<]+)</.exec(await logon.body.text())?.[1] ?? '';
  for (const { path, query } of requests) {
    const url = new URL(path, base);
    url.search = new URLSearchParams(query).toString();
    const res = await request(url, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/xml' } });
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  }
  const logoff = await request(new URL(`logonSessions/${sessionId}`, base), {
    method: 'DELETE',
    headers: { 'X-RestSvcSessionId': token },
  });
  await logoff.body.dump();
  return { kind: 'floor', wallMs: performance.now() - started, requests: requests.length + 2, bytes };
}

process.on('message', (message: ToChild) => {
  const work =
    message.kind === 'poll'
      ? poll(message.table, message.now)
      : message.kind === 'floor'
        ? floor(message.requests)
        : Promise.resolve(process.exit(0));
  work.then(send, (error: unknown) =>
    send({ kind: 'error', message: String((error as Error)?.stack ?? error) }),
  );
});
send({ kind: 'ready', maxRss: process.resourceUsage().maxRSS * 1024 });
