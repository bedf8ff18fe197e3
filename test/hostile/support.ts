// Hostile peers for the poller: a front that answers some requests itself and forwards the rest to the
// simulator, raw TCP and TLS servers that break HTTP, and one poll through any of them with every output kept
// (logs, errors, SNS messages, the state table) so each test can check bounds and the password canary.
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { type AlertEvent, DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import { SnsNotifier } from '../../functions/notify/notifier.ts';
import { type Log, type PollOptions, type PollSummary, pollEm } from '../../functions/poller/poll.ts';
import type { Scenario, Simulator } from '../../functions/simulator/index.ts';
import { startSimulator } from '../../functions/simulator/index.ts';
import { makePki } from '../../functions/simulator/tls.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import { TOPICS } from '../faults/support.ts';
import { basicOf, canaryUser } from '../support/canary.ts';
import { acceptBatches, publishedTo } from '../support/sns-mock.ts';

export const USER = canaryUser('TECH\\svc-hostile');
/** What a proxy or log would show instead of the password. */
export const BASIC = basicOf(USER);

/** Everything any poll of this test file printed, published or stored: for the canary check at the end. */
export const transcript: string[] = [];

export const sns = mockClient(SNSClient);
sns.on(PublishCommand).resolves({ MessageId: 'm' });
acceptBatches(sns);

let dynamo: LocalDynamo | undefined;
let tables = 0;
export async function stopDynamo(): Promise<void> {
  await dynamo?.close();
  dynamo = undefined;
}

export interface PollResult {
  summary?: PollSummary;
  /** Set when pollEm threw: a crash of the whole poll, which no EM may cause. */
  thrown?: unknown;
  ms: number;
  logs: string[];
  published: PublishCommandInput[];
  events: AlertEvent[];
}

/** One poll of the EM at `url`, with the canary credentials, fast client settings and fresh state. */
export async function pollVia(url: string, em: PollOptions['em'] = {}, now?: string): Promise<PollResult> {
  dynamo ??= await startDynalite();
  const client = localClient(dynamo.endpoint);
  const table = `hostile-${++tables}`;
  await ensureTable(client, table);
  const logs: string[] = [];
  const log =
    (level: string): Log[keyof Log] =>
    (message, extra) => {
      logs.push(`${level} ${message} ${JSON.stringify(extra)}`);
    };
  sns.resetHistory();
  const started = performance.now();
  const result: PollResult = { ms: 0, logs, published: [], events: [] };
  try {
    result.summary = await pollEm(
      { name: 'em-hostile', url },
      {
        store: new DynamoStateStore(client, table),
        notifier: new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPICS),
        credentials: async () => USER,
        now: () => new Date(now ?? Date.now()),
        log: { info: log('info'), warn: log('warn'), error: log('error') },
      },
      {
        settings: { ...DEFAULT_SETTINGS, retryHold: 0, unreachableAfter: 1 },
        deadlineMs: 15_000,
        em: {
          retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
          requestTimeoutMs: 1_000,
          warn: (m) => logs.push(`em-warn ${m}`),
          ...em,
        },
      },
    );
  } catch (error) {
    result.thrown = error;
    logs.push(`thrown ${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`);
  }
  result.ms = performance.now() - started;
  result.published = publishedTo(sns);
  result.events = result.published
    .filter((p) => p.TopicArn === TOPICS.events)
    .map((p) => JSON.parse(p.Message ?? '') as AlertEvent);
  const state = await client.send(new ScanCommand({ TableName: table }));
  transcript.push(...logs, JSON.stringify(result.published), JSON.stringify(state.Items));
  return result;
}

export interface Server {
  url: string;
  caPem?: string;
  close(): Promise<void>;
}

/** The simulators and servers this file's tests started and have not closed yet, oldest first. */
const open: { close(): Promise<void> }[] = [];

/** Closes what the test started, newest first: a front before the simulator it forwards to. Run after each. */
export async function closeStarted(): Promise<void> {
  for (const peer of open.splice(0).reverse()) await peer.close();
}

/** The simulator with the canary user (and, when given, a scenario); `closeStarted` closes it. */
export async function simulator(scenario?: Scenario): Promise<Simulator> {
  const sim = await startSimulator({ users: [USER], ...(scenario ? { scenario } : {}) });
  open.push(sim);
  return sim;
}

/** Closes a server and every connection still open on it (hung ones included). */
function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

/** Listens on a free loopback port; `closeStarted` closes the server. */
async function listen(server: net.Server, scheme: string, caPem?: string): Promise<Server> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    s.on('error', () => {}); // a client giving up on a hostile server resets: expected, not a test failure
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const peer = {
    url: `${scheme}://127.0.0.1:${port}/api/`,
    ...(caPem ? { caPem } : {}),
    close: closer(server, sockets),
  };
  open.push(peer);
  return peer;
}

/**
 * An HTTP front to the simulator: `answer` may answer a request itself (returning true), else it is forwarded.
 * Like a reverse proxy, or an EM that misbehaves on some paths only.
 */
export async function front(
  sim: Simulator,
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => boolean,
  /** Rewrites each forwarded answer's bytes (the simulator writes well-formed text only). */
  edit?: (body: Buffer, req: http.IncomingMessage) => Buffer,
): Promise<Server> {
  const target = new URL(sim.url);
  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    if (answer(req, res)) return;
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      async (upstream) => {
        if (!edit) {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          return void upstream.pipe(res);
        }
        const chunks: Buffer[] = [];
        for await (const chunk of upstream) chunks.push(chunk as Buffer);
        const body = edit(Buffer.concat(chunks), req);
        res.writeHead(upstream.statusCode ?? 502, { ...upstream.headers, 'content-length': body.length });
        res.end(body);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return listen(server, 'http');
}

/** A new simulator behind a front that answers its queries with `reply` (see `onQuery`). */
export async function queriesAnsweredBy(
  reply: (res: http.ServerResponse) => void,
): Promise<{ sim: Simulator; server: Server }> {
  const sim = await simulator();
  return { sim, server: await front(sim, onQuery(reply)) };
}

/** Answers only what `isQuery` picks (default: the query service) with `reply`; logon and logoff go through. */
export const onQuery =
  (reply: (res: http.ServerResponse, req: http.IncomingMessage) => void) =>
  (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (!req.url?.startsWith('/api/query')) return false;
    req.resume();
    reply(res, req);
    return true;
  };

/** A TCP server that does whatever `onSocket` does with each connection: no HTTP at all unless it writes some. */
export function rawServer(onSocket: (socket: net.Socket) => void): Promise<Server> {
  return listen(net.createServer(onSocket), 'http');
}

/** A TLS server with a certificate the client trusts (`caPem`), then `onSocket` on the decrypted stream. */
export async function tlsServer(onSocket: (socket: tls.TLSSocket) => void): Promise<Server> {
  const pki = await makePki(['127.0.0.1', 'localhost']);
  const server = tls.createServer({ key: pki.keyPem, cert: pki.certPem }, (socket) => {
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.on('tlsClientError', () => {});
  return listen(server, 'https', pki.caPem);
}

/** A TCP server that accepts and then says nothing: a TLS handshake that never completes. */
export const silentServer = () => rawServer(() => {});

/** The failed poll's error kind, or 'ok'; a poll that threw (crashed) names what it threw. */
export const kindOf = (r: PollResult): string =>
  r.summary?.error?.kind ?? r.summary?.status ?? `threw ${String(r.thrown)}`;
