// Bare HTTP calls against the EM simulator for its own suites: no EM client in between, so the wire itself
// (status codes, headers, bodies) is what the tests look at.

import { XMLParser } from 'fast-xml-parser';
import { type Agent, fetch } from 'undici';
import { test } from 'vitest';
import {
  DEFAULT_USER,
  FAILURE_REASONS,
  ScenarioBuilder,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
  type User,
  WARNING_REASONS,
} from '../../functions/simulator/index.ts';
import { basicOf, canaryUser } from './canary.ts';

/** A parsed document; tests walk them by known paths. */
// biome-ignore lint/suspicious/noExplicitAny: test code walks parsed documents of a known shape
export type Doc = any;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  dispatcher?: Agent;
}

/** `path` is relative to the API base (`query?...`) or absolute (`/api/`). */
export async function call(sim: Simulator, path: string, options: CallOptions = {}): Promise<Answer> {
  const response = await fetch(new URL(path, sim.url), {
    method: options.method ?? 'GET',
    headers: options.headers,
    dispatcher: options.dispatcher,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export const basic = (username: string, password: string): string =>
  `Basic ${basicOf({ username, password })}`;

/** The account of the simulator's own suites: its default user name, with the canary password. */
export const SIM_USER = canaryUser(DEFAULT_USER.username);

/** The simulator with SIM_USER as its account, unless `options` lists the users. */
export const startCanarySimulator = (options: SimulatorOptions = {}): Promise<Simulator> =>
  startSimulator({ users: [SIM_USER], ...options });

/** Logs on; returns the token (header) and the session GUID (body) for logoff. */
export async function logon(
  sim: Simulator,
  user: Pick<User, 'username' | 'password'> = SIM_USER,
  dispatcher?: Agent,
): Promise<{ token: string; sessionId: string }> {
  const answer = await call(sim, 'sessionMngr/?v=latest', {
    method: 'POST',
    headers: { authorization: basic(user.username, user.password) },
    dispatcher,
  });
  const token = answer.headers.get('x-restsvcsessionid');
  const sessionId = /<SessionId>([^<]+)<\/SessionId>/.exec(answer.text)?.[1];
  if (answer.status !== 201 || !token || !sessionId)
    throw new Error(`Logon failed: ${answer.status} ${answer.text}`);
  return { token, sessionId };
}

/**
 * Tests that share, per file, one simulator started with `options` (SIM_USER's account unless they list the
 * users), logged on before the file's first test and closed after its last. Tests name what they use:
 * `async ({ sim, token, get }) => ...`.
 */
export const simulatorTest = (options: SimulatorOptions) =>
  test
    // Vitest reads what a fixture needs from its destructured first parameter: `sim` takes its options there.
    .extend('simOptions', { scope: 'file' }, options)
    .extend('sim', { scope: 'file' }, async ({ simOptions }, { onCleanup }) => {
      const sim = await startCanarySimulator(simOptions);
      onCleanup(() => sim.close());
      return sim;
    })
    // auto: the logon comes first whatever a test names, so request logs and session counts start after it.
    .extend('token', { scope: 'file', auto: true }, async ({ sim }) => (await logon(sim)).token)
    .extend(
      'get',
      { scope: 'file' },
      ({ sim, token }) =>
        /** GETs `path` with the token, asking for `accept` (none: the EM's default, XML). */
        (path: string, accept?: string): Promise<Answer> =>
          call(sim, path, { headers: { 'x-restsvcsessionid': token, ...(accept && { accept }) } }),
    );

export interface JsonPage {
  status: number;
  items: Record<string, unknown>[];
  paging: { PageNum: number; PageSize: number; PagesCount: number; Links: { Rel: string; Href: string }[] };
  body: Doc;
}

/** A `/query` in JSON: its rows (entities or refs) and PagingInfo; a 400 comes back with the body only. */
export async function queryJson(
  sim: Simulator,
  token: string,
  params: Record<string, string>,
): Promise<JsonPage> {
  const search = new URLSearchParams({ format: 'Entities', ...params });
  const answer = await call(sim, `query?${search}`, {
    headers: { 'x-restsvcsessionid': token, accept: 'application/json' },
  });
  const body = JSON.parse(answer.text) as Doc;
  const container = `${params.type}s`;
  const items = body.Refs?.Refs ?? body.Entities?.[container]?.[container] ?? [];
  return { status: answer.status, items, paging: body.PagingInfo, body };
}

/** Names of the rows a JSON query returns, sorted: what most filter tests compare. */
export async function names(
  sim: Simulator,
  token: string,
  params: Record<string, string>,
): Promise<string[]> {
  const page = await queryJson(sim, token, { pageSize: '1000', ...params });
  if (page.status !== 200) throw new Error(`Query failed: ${page.status} ${JSON.stringify(page.body)}`);
  return page.items.map((item) => String(item.Name)).sort();
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  htmlEntities: true, // also decodes numeric character references (`&#xA;`), which plain XML has too
  isArray: (name) => name === 'Link' || name === 'Ref',
});

export const parseXml = (text: string): Doc => xml.parse(text);

/**
 * The structure of a parsed XML document without its values: attribute names (sorted, namespaces left out),
 * then child elements in document order. Two documents of the same shape differ only in values.
 */
export function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (typeof node !== 'object' || node === null) return '#text';
  const entries = Object.entries(node).filter(([key]) => key !== '?xml' && !key.startsWith('@xmlns'));
  const attributes = entries.filter(([key]) => key.startsWith('@')).map(([key]) => key);
  const elements = entries.filter(([key]) => !key.startsWith('@')).map(([key, value]) => [key, shape(value)]);
  return { attributes: attributes.sort(), elements };
}

export const NOW = '2025-08-16T06:00:00.000Z';
export const SNAPSHOT = FAILURE_REASONS[0] ?? '';
export const TRUNCATE = WARNING_REASONS[0] ?? '';

/**
 * A small EM at NOW: finished runs with every result, a retry, names full of special characters, odd states,
 * a run in progress, one that never ends, one not started yet, one 40 days old, and two CDP policy sessions.
 */
export function smallEstate() {
  const s = new ScenarioBuilder({ now: NOW, seed: 'simulator-tests' });
  const sql = s.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' });
  const old = sql.run({ start: '2025-07-06T20:00:00Z', durationMin: 20, vms: ['sql01', 'sql02'] });
  const success = sql.run({ start: '2025-08-15T20:00:00Z', durationMin: 20, vms: ['sql01', 'sql02'] });
  const failed = sql.run({
    start: '2025-08-16T00:00:00Z',
    durationMin: 20,
    vms: [{ name: 'sql01', result: 'Failed', reason: SNAPSHOT }, 'sql02'],
  });
  const retry = sql.retry({ recover: true });
  const nord = s.replicaJob('Büro "Nord" Replica', { backupServer: 'vbr02.tech.local' }).run({
    start: '2025-08-16T01:00:00Z',
    vms: [{ name: 'nord-fs01', result: 'Warning', reason: TRUNCATE }],
  });
  const special = s
    .replicaJob("A;B,C&D=E (x) <'1'>", { backupServer: 'vbr02.tech.local' })
    .run({ start: '2025-08-16T02:00:00Z', vms: ['vm&1'] });
  const odd = s.replicaJob('Odd Job');
  const pausing = odd.run({ start: '2025-08-16T03:00:00Z', state: 'Pausing', vms: ['odd01'] });
  const none = odd.run({ start: '2025-08-16T03:30:00Z', result: 'None', vms: ['odd01'] });
  const postprocessing = odd.run({ start: '2025-08-16T04:00:00Z', state: 'Postprocessing', vms: ['odd01'] });
  const web = s.replicaJob('Web Farm Replica', { backupServer: 'vbr02.tech.local' });
  const endless = web.run({ start: '2025-08-16T04:30:00Z', durationMin: null, vms: ['web01'] });
  const running = web.run({ start: '2025-08-16T05:50:00Z', durationMin: 30, vms: ['web01', 'web02'] });
  const future = web.run({ start: '2025-08-16T07:00:00Z', durationMin: 10, vms: ['web01', 'web02'] });
  const policy = s.cdpPolicy('CDP Tier1', { backupServer: 'vbr01.tech.local' });
  const cdpFailed = policy.session({
    start: '2025-08-14T15:00:00Z',
    vms: [{ name: 'dc01', result: 'Failed', reason: SNAPSHOT }, 'dc02'],
    failureMessage: 'dc01 failed to sync',
  });
  const cdpRunning = policy.session({ start: '2025-08-15T15:00:00Z', vms: ['dc01', 'dc02'] });
  return {
    scenario: s.build(),
    sessions: {
      old,
      success,
      failed,
      retry,
      nord,
      special,
      pausing,
      none,
      postprocessing,
      endless,
      running,
      future,
    },
    cdp: { failed: cdpFailed, running: cdpRunning },
  };
}
