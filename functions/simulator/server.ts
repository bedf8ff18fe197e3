// The simulated Enterprise Manager: a real HTTP or HTTPS server on loopback, started in-process by tests and by
// the demo; exchange.ts handles each request.

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { MINUTE } from '../duration.ts';
import { Clock } from './clock.ts';
import type { EmptyAnswer } from './documents.ts';
import { type Exchange, exchange, type RequestRecord } from './exchange.ts';
import { Faults } from './faults.ts';
import type { Context } from './routes.ts';
import { emptyScenario, type Scenario } from './scenario.ts';
import { LogonSessions, type User } from './sessions.ts';
import { Store } from './store.ts';
import { type ServerTiming, Timings } from './timing.ts';
import { makePki } from './tls.ts';

export type { RequestRecord };

export interface SimulatorOptions {
  /** The EM's data and the simulated time; default: no sessions, now. */
  scenario?: Scenario;
  /** HTTPS with a CA made at start-up; `hostnames` go in the server certificate (default the listen host, localhost). */
  tls?: boolean | { hostnames?: string[] };
  /** Default: `DEFAULT_USER` only (a Portal User: the schedule queries answer it 403). */
  users?: User[];
  /** A server-side page size limit: larger requests get this, and PagingInfo says so. Default: none. */
  maxPageSize?: number;
  /** Real milliseconds a token may stay unused (default 15 minutes). */
  tokenIdleMs?: number;
  /** Prefix JSON bodies with a UTF-8 byte-order mark, as some EM versions do. */
  jsonBom?: boolean;
  /** false: an edition without the REST API, every path answers 404. */
  restApi?: boolean;
  /** Delay before every answer, for benchmarks. */
  latencyMs?: number;
  /** Timing per backup server NAME (as the rows' `backupServerName`): late collection, clock skew. Default: none. */
  backupServers?: Record<string, ServerTiming>;
  /** How a query that matched no rows answers; default `container`. */
  emptyAnswer?: EmptyAnswer;
  host?: string;
  port?: number;
}

export interface Simulator {
  /** The API base, e.g. `https://127.0.0.1:PORT/api/`. */
  readonly url: string;
  /** The CA that signed the server certificate (HTTPS only). */
  readonly caPem: string | undefined;
  readonly requests: RequestRecord[];
  /** Logon sessions neither logged off nor expired. */
  openSessions(): number;
  readonly clock: Clock;
  /** Adds (or, by UID, replaces) sessions, backup servers, jobs and policies; `now`, if given, sets the clock. */
  add(scenario: Partial<Scenario>): void;
  /** Replaces the timing of the backup server with this name; `{}` puts it back on time. */
  setServerTiming(name: string, timing: ServerTiming): void;
  setEmptyAnswer(shape: EmptyAnswer): void;
  readonly faults: Faults;
  close(): Promise<void>;
}

/** The default account. The password is for tests and demos only. */
export const DEFAULT_USER: User = {
  username: 'replica-alerts@tech.local',
  password: 'demo-only-password',
  role: 'portal-user',
};

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const scenario = options.scenario ?? emptyScenario(new Date().toISOString());
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  store.add(scenario);
  const clock = new Clock(scenario.now);
  const timings = new Timings();
  for (const [name, timing] of Object.entries(options.backupServers ?? {})) timings.set(name, timing);
  const sessions = new LogonSessions(options.users ?? [DEFAULT_USER], options.tokenIdleMs ?? 15 * MINUTE);
  const faults = new Faults();
  const requests: RequestRecord[] = [];

  const tls = options.tls && (options.tls === true ? {} : options.tls);
  const pki = tls ? await makePki(tls.hostnames ?? [...new Set([host, 'localhost'])]) : undefined;
  const server = pki ? https.createServer({ key: pki.keyPem, cert: pki.certPem }) : http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `${pki ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/api/`;
  const ctx: Context = {
    store,
    clock,
    timings,
    emptyAnswer: options.emptyAnswer ?? 'container',
    sessions,
    base: url,
    maxPageSize: options.maxPageSize ?? Number.POSITIVE_INFINITY,
    tls: Boolean(pki),
  };

  const env: Exchange = {
    ctx,
    faults,
    requests,
    jsonBom: options.jsonBom ?? false,
    restApi: options.restApi ?? true,
    latencyMs: options.latencyMs ?? 0,
  };
  server.on('request', (req, res) => {
    exchange(req, res, env).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });

  return {
    url,
    caPem: pki?.caPem,
    requests,
    openSessions: () => sessions.open(),
    clock,
    add: (partial) => {
      store.add(partial);
      if (partial.now !== undefined) clock.set(partial.now);
    },
    setServerTiming: (name, timing) => timings.set(name, timing),
    setEmptyAnswer: (shape) => {
      ctx.emptyAnswer = shape;
    },
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // hung requests and idle keep-alive sockets included
      }),
  };
}
