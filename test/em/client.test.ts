// The EM client against the simulator over real HTTP and HTTPS: logon/logoff, both formats, paging, batching,
// escaping, re-logon, retries, timeouts and every error kind.
import * as http from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmSession, withSession } from '../../functions/em/client.ts';
import { apiBase, type EmConfig } from '../../functions/em/config.ts';
import { EmError } from '../../functions/em/errors.ts';
import { eq } from '../../functions/em/filter.ts';
import type { EntityType, EntityTypes } from '../../functions/em/model.ts';
import { runs } from '../../functions/em/runs.ts';
import {
  type Scenario,
  ScenarioBuilder,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../functions/simulator/index.ts';
import { makePki } from '../../functions/simulator/tls.ts';
import { CANARY, canaryUser, findCanary } from '../support/canary.ts';
import { fixture } from '../support/fixtures.ts';

const NOW = '2026-11-25T08:00:00Z';
const USER = canaryUser('TECH\\svc-replica');
/** An account the EM knows but gives no role. */
const NO_ROLE = canaryUser('TECH\\auditor', 'no-access');
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let sim: Simulator | undefined;
/** Every simulator started, for the last test's look at all request records. */
const simulators: Simulator[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(scenario: Scenario, options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ scenario, users: [USER, NO_ROLE], ...options });
  simulators.push(sim);
  return sim;
}

function config(s: Simulator, extra: Partial<EmConfig> = {}): EmConfig {
  return { name: 'em-test', url: s.url, caPem: s.caPem, credentials: USER, retry: FAST_RETRY, ...extra };
}

function uuid(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/** The URL as the client sent it: its parameters in order, each value percent-encoded. */
function sentUrl(s: Simulator, r: Simulator['requests'][number]): string {
  const query = Object.entries(r.query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return `${apiBase('x', s.url).origin}${r.path}?${query.join('&')}`;
}

async function all<K extends EntityType>(em: EmSession, type: K, filter?: ReturnType<typeof eq>) {
  const rows: EntityTypes[K][] = [];
  for await (const page of em.query(type, { filter, pageSize: 10 })) rows.push(...page);
  return rows;
}

/** A scenario with `jobs` jobs, each run `runs` times, every third run failing on one of two VMs. */
function estate(jobs: number, runs: number): Scenario {
  const b = new ScenarioBuilder({ now: NOW, seed: 3 });
  for (let j = 0; j < jobs; j++) {
    const job = b.replicaJob(`Job ${j}`, { backupServer: `vbr0${j % 2}.tech.local` });
    for (let r = 0; r < runs; r++) {
      const failed = r % 3 === 0;
      job.run({
        start: new Date(Date.parse(NOW) - (runs - r) * 3_600_000 - j * 60_000),
        durationMin: 10,
        vms: [
          `vm${j}a`,
          failed ? { name: `vm${j}b`, result: 'Failed', reason: `Error: disk ${j}/${r} full` } : `vm${j}b`,
        ],
      });
    }
  }
  return b.build();
}

/** Every error and warning the client produced, for the password check. */
const seen: string[] = [];
async function failure(work: Promise<unknown>): Promise<EmError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmError);
  seen.push((error as EmError).message, JSON.stringify(error), String((error as Error).stack));
  return error as EmError;
}

describe.each([
  ['HTTP', false],
  ['HTTPS', true],
] as const)('EM client over %s', (_name, tls) => {
  it.each(['xml', 'json'] as const)('logs on, pages through every row in %s and logs off', async (format) => {
    const s = await start(estate(5, 5), { tls, jsonBom: format === 'json' });
    const rows = await withSession(config(s, { format }), (em) => all(em, 'ReplicaJobSession'));
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((r) => r.uid)).size).toBe(25);
    expect(s.openSessions()).toBe(0);
    const [logon, ...rest] = s.requests;
    expect(logon).toMatchObject({
      method: 'POST',
      path: '/api/sessionMngr/',
      query: { v: 'latest' },
      status: 201,
    });
    expect(logon?.headers).toMatchObject({ authorization: '[redacted]', 'content-length': '0' });
    const queries = rest.filter((r) => r.path === '/api/query');
    expect(queries.map((r) => r.query.page)).toEqual(['1', '2', '3']);
    expect(queries.every((r) => r.query.pageSize === '10' && r.query.format === 'Entities')).toBe(true);
    expect(
      rest.every((r) => r.headers['x-restsvcsessionid'] === '[redacted]' && !('cookie' in r.headers)),
    ).toBe(true);
    expect(rest.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
    expect(rest.at(-1)?.path).toMatch(/^\/api\/logonSessions\/[0-9a-f-]{36}$/);
    expect(
      s.requests.every(
        (r) => r.headers.accept === (format === 'json' ? 'application/json' : 'application/xml'),
      ),
    ).toBe(true);
  });
});

describe('EM client', () => {
  it('gives the same model in XML and JSON, text exactly as the EM holds it', async () => {
    const scenario = estate(3, 4);
    const b = new ScenarioBuilder({ now: NOW, seed: 5 });
    const reason = 'Error: line1\r\nline2\twith <tags> & "quotes" \u202Eevil';
    b.replicaJob('Tab\tJob  <&> "x"').run({
      start: '2026-11-25T06:00:00Z',
      vms: [{ name: 'vm\t1', result: 'Failed', reason }],
    });
    const odd = b.build();
    scenario.replicaJobSessions.push(...odd.replicaJobSessions);
    scenario.replicaTaskSessions.push(...odd.replicaTaskSessions);
    const s = await start(scenario);
    const xml = await withSession(config(s), (em) => all(em, 'ReplicaTaskSession'));
    const json = await withSession(config(s, { format: 'json' }), (em) => all(em, 'ReplicaTaskSession'));
    expect(json).toEqual(xml);
    expect(xml.filter((t) => t.result === 'Failed').map((t) => t.reason)).toContain('Error: disk 0/0 full');
    expect(xml.find((t) => t.vmDisplayName === 'vm\t1')?.reason).toBe(reason);
  });

  it('reads the supported API versions in XML and JSON', async () => {
    const s = await start(estate(1, 1));
    for (const format of ['xml', 'json'] as const) {
      const versions = await withSession(config(s, { format }), (em) => em.apiVersions());
      expect(versions).toContain('v1_7');
    }
  });

  it.each([
    (url: string) => url,
    (url: string) => url.replace(/\/$/, ''),
    (url: string) => url.replace(/\/api\/$/, ''),
    (url: string) => url.replace(/\/api\/$/, '/'),
  ])('accepts the documented base URL in every spelling, never requesting /api/api/ (%#)', async (spell) => {
    const s = await start(estate(1, 1));
    await withSession(config(s, { url: spell(s.url) }), (em) => all(em, 'ReplicaJobSession'));
    expect(s.requests.length).toBeGreaterThan(2);
    expect(s.requests.every((r) => r.path.startsWith('/api/') && !r.path.startsWith('/api/api/'))).toBe(true);
  });

  it.each([
    'Büro "Nord" Replica',
    'a;b,c',
    'x&y=z',
    'quote " only',
    '(Result==Failed)',
    '日本語 ジョブ',
    'ends with backslash\\',
  ])('queries exactly the job named %j', async (name) => {
    const b = new ScenarioBuilder({ now: NOW });
    for (const other of [name, 'Büro', 'a', 'x', 'quote', 'Result', '日本語', 'ends with backslash']) {
      b.replicaJob(other).run({ start: '2026-11-25T06:00:00Z', vms: ['vm1'] });
    }
    const s = await start(b.build());
    const rows = await withSession(config(s), (em) => all(em, 'ReplicaJobSession', eq('JobName', name)));
    expect(rows.map((r) => r.jobName)).toEqual([name]);
  });

  it('reads task sessions of many sessions in O(N / batch) requests', async () => {
    const s = await start(estate(40, 6)); // 240 runs, 80 failed
    const read = await withSession(config(s, { pageSize: 100 }), async (em) => {
      const found = [];
      for await (const page of runs(em, 'ReplicaJobSession')) found.push(...page);
      return found;
    });
    const failed = read.filter((r) => r.session.result === 'Failed');
    expect(read).toHaveLength(240);
    expect(failed).toHaveLength(80);
    expect(
      failed.every((r) => r.tasks.length === 2 && r.tasks.some((t) => t.reason?.startsWith('Error: disk'))),
    ).toBe(true);
    expect(read.filter((r) => r.session.result === 'Success').every((r) => r.tasks.length === 0)).toBe(true);
    const taskQueries = s.requests.filter((r) => r.query.type === 'ReplicaTaskSession');
    expect(taskQueries.length).toBeLessThanOrEqual(4); // ~40 UIDs fit a 4 KB URL: 80 sessions, 2-3 batches
    expect(Math.max(...taskQueries.map((r) => sentUrl(s, r).length))).toBeLessThanOrEqual(4096);
  });

  it('keeps every batch URL within maxUrlLength, whatever the limit', async () => {
    const s = await start(estate(1, 1));
    const uids = Array.from({ length: 80 }, (_, i) => `urn:veeam:ReplicaJobSession:${uuid(i)}`);
    // One UID term is under 100 characters, so 100 consecutive limits meet every way a batch can fill up.
    for (let maxUrlLength = 3000; maxUrlLength < 3100; maxUrlLength++) {
      const before = s.requests.length;
      await withSession(config(s, { maxUrlLength }), async (em) => {
        for await (const _ of em.tasksOf('ReplicaTaskSession', uids));
      });
      const sent = s.requests.slice(before).filter((r) => r.query.filter);
      expect(sent.length).toBeGreaterThan(2);
      expect(Math.max(...sent.map((r) => sentUrl(s, r).length))).toBeLessThanOrEqual(maxUrlLength);
    }
  });

  it('follows PagesCount when the server caps the page size', async () => {
    const s = await start(estate(4, 5), { maxPageSize: 7 });
    const rows = await withSession(config(s, { pageSize: 500 }), (em) => all(em, 'ReplicaJobSession'));
    expect(rows).toHaveLength(20);
  });

  it('answers a token expiring mid-paging with one re-logon and a retry of that page', async () => {
    const s = await start(estate(5, 5));
    s.faults.add({ kind: 'expire-token', path: '/api/query', page: 2 });
    const rows = await withSession(config(s), (em) => all(em, 'ReplicaJobSession'));
    expect(rows).toHaveLength(25);
    expect(s.requests.filter((r) => r.path === '/api/sessionMngr/')).toHaveLength(2);
    expect(s.openSessions()).toBe(0);
  });

  it.each([
    { kind: 'reset' as const },
    { kind: 'status' as const, status: 503 as const },
    { kind: 'status' as const, status: 502 as const },
    { kind: 'status' as const, status: 504 as const },
    { kind: 'truncate' as const },
  ])('retries a transient fault: %j', async (fault) => {
    const s = await start(estate(2, 5));
    const rule = s.faults.add({ ...fault, path: '/api/query', times: 2 });
    const rows = await withSession(config(s), (em) => all(em, 'ReplicaJobSession'));
    expect(rows).toHaveLength(10);
    expect(rule.fired).toBe(2);
    expect(s.openSessions()).toBe(0);
  });

  it('gives up after the configured attempts, with the EM named and logged off', async () => {
    const s = await start(estate(1, 1));
    s.faults.add({ kind: 'status', status: 503, path: '/api/query', times: Number.POSITIVE_INFINITY });
    const error = await failure(withSession(config(s), (em) => all(em, 'ReplicaJobSession')));
    expect(error).toMatchObject({ kind: 'em-error', status: 503, transient: true });
    expect(error.message).toMatch(/^Enterprise Manager "em-test": GET \/api\/query failed with HTTP 503/);
    expect(s.requests.filter((r) => r.path === '/api/query')).toHaveLength(3);
    expect(s.openSessions()).toBe(0);
  });

  it('does not retry an EM error and shows its own Message, never a stack trace', async () => {
    const s = await start(estate(1, 1));
    s.faults.add({
      kind: 'status',
      status: 500,
      path: '/api/query',
      message: 'Object reference not set to an instance',
    });
    const error = await failure(withSession(config(s), (em) => all(em, 'ReplicaJobSession')));
    expect(error).toMatchObject({ kind: 'em-error', status: 500, transient: false });
    expect(error.message).toContain('The EM said: "Object reference not set to an instance"');
    expect(s.requests.filter((r) => r.path === '/api/query')).toHaveLength(1);
  });

  it('reports an unknown filter field as the EM error it is', async () => {
    const s = await start(estate(1, 1));
    const error = await failure(
      withSession(config(s), (em) => all(em, 'ReplicaJobSession', eq('Colour', 'red'))),
    );
    expect(error).toMatchObject({ kind: 'em-error', status: 400 });
  });

  it('times out a request that never answers, then retries it', async () => {
    const s = await start(estate(1, 1));
    s.faults.add({ kind: 'hang', path: '/api/query' });
    const rows = await withSession(config(s, { requestTimeoutMs: 300 }), (em) =>
      all(em, 'ReplicaJobSession'),
    );
    expect(rows).toHaveLength(1);
  });

  it('stops at the overall deadline', async () => {
    const s = await start(estate(1, 1));
    s.faults.add({ kind: 'hang', path: '/api/query', times: Number.POSITIVE_INFINITY });
    const error = await failure(
      withSession(config(s, { requestTimeoutMs: 5_000, deadlineMs: 400 }), (em) =>
        all(em, 'ReplicaJobSession'),
      ),
    );
    expect(error).toMatchObject({ kind: 'timeout', transient: false });
    expect(s.openSessions()).toBe(0); // the logoff is not cut by the deadline
  });

  it('logs off also when the work throws', async () => {
    const s = await start(estate(1, 1));
    await expect(
      withSession(config(s), async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(s.openSessions()).toBe(0);
    expect(s.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
  });

  it('re-reads rotated credentials once when the EM rejects them', async () => {
    const s = await start(estate(1, 1));
    const asked: boolean[] = [];
    const credentials = async ({ refresh }: { refresh: boolean }) => {
      asked.push(refresh);
      return refresh ? USER : { ...USER, password: `${CANARY}-old` };
    };
    await withSession(config(s, { credentials }), (em) => all(em, 'ReplicaJobSession'));
    expect(asked).toEqual([false, true]);
  });

  it('stops a request in flight when its signal aborts, and still logs off', async () => {
    const s = await start(estate(1, 1));
    const hang = s.faults.add({ kind: 'hang', path: '/api/query', times: Number.POSITIVE_INFINITY });
    const interrupt = new AbortController();
    const work = withSession(config(s, { signal: interrupt.signal }), (em) => all(em, 'ReplicaJobSession'));
    await expect.poll(() => hang.fired, { timeout: 10_000 }).toBe(1);
    interrupt.abort();
    await failure(work);
    expect(hang.fired).toBe(1); // not retried
    expect(s.openSessions()).toBe(0);
    expect(s.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
  });
});

/** A stand-in EM: logs on and off, and answers every query with `answer(url)`; the queries it got are kept. */
async function stubEm(answer: (url: URL) => string): Promise<{ url: string; queries: URL[] }> {
  const queries: URL[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const json = req.headers.accept === 'application/json';
    if (req.method === 'DELETE') return void res.writeHead(204).end();
    if (req.method === 'POST') {
      res.writeHead(201, { 'x-restsvcsessionid': 'a-token' });
      const id = uuid(1);
      return void res.end(
        json ? `{"SessionId":"${id}"}` : `<LogonSession><SessionId>${id}</SessionId></LogonSession>`,
      );
    }
    const url = new URL(req.url ?? '/', 'http://stub');
    queries.push(url);
    res.writeHead(200).end(answer(url));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  stubs.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, queries };
}
const stubs: http.Server[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => new Promise((done) => s.close(done))));
});

const stubConfig = (url: string, format: 'xml' | 'json'): EmConfig => ({
  name: 'em-test',
  url,
  credentials: USER,
  retry: FAST_RETRY,
  format,
});

describe('EM client reading empty query answers', () => {
  const paging = (num: number, count: number) =>
    `<PagingInfo PageNum="${num}" PageSize="10" PagesCount="${count}" />`;
  const xml = (entities: string, info: string) => `<QueryResult>${entities}${info}</QueryResult>`;
  const pagingJson = (num: number, count: number) =>
    `,"PagingInfo":{"PageNum":${num},"PageSize":10,"PagesCount":${count}}`;
  const json = (entities: string, info: string) => `{"Refs":null,"Entities":${entities}${info}}`;
  const container = '<Entities><ReplicaJobSessions /></Entities>';

  it.each([
    ['xml', 'an empty container', xml(container, paging(1, 1))],
    ['xml', '<Entities />', xml('<Entities />', paging(1, 1))],
    ['xml', '<Entities /> without PagingInfo', xml('<Entities />', '')],
    ['xml', 'PagesCount 0', xml(container, paging(1, 0))],
    ['xml', 'PageNum 0 and PagesCount 0', xml(container, paging(0, 0))],
    ['xml', 'PageNum 0 with no rows', xml('<Entities />', paging(0, 3))],
    ['json', '"Entities": {}', json('{}', pagingJson(1, 1))],
    ['json', '"Entities": null', json('null', pagingJson(1, 1))],
    ['json', 'a null container', json('{"Jobs":null,"ReplicaJobSessions":null}', pagingJson(1, 1))],
    ['json', '"Entities": null without PagingInfo', json('null', '')],
    ['json', 'PagesCount 0', json('{"ReplicaJobSessions":null}', pagingJson(1, 0))],
    ['json', 'PageNum 0 with no rows', json('{}', pagingJson(0, 3))],
  ] as const)('%s, %s: no rows, one request', async (format, _name, body) => {
    const stub = await stubEm(() => body);
    const rows = await withSession(stubConfig(stub.url, format), (em) => all(em, 'ReplicaJobSession'));
    expect(rows).toEqual([]);
    expect(stub.queries).toHaveLength(1);
  });

  it.each([
    ['xml', 'container'],
    ['xml', 'bare-entities'],
    ['xml', 'pages-count-0'],
    ['xml', 'page-num-0'],
    ['json', 'container'],
    ['json', 'bare-entities'],
    ['json', 'pages-count-0'],
    ['json', 'page-num-0'],
  ] as const)('the simulator answering %s, %s: no rows, one request', async (format, shape) => {
    const s = await start(estate(1, 1), { emptyAnswer: shape });
    const rows = await withSession(config(s, { format }), (em) =>
      all(em, 'ReplicaJobSession', eq('JobName', 'no such job')),
    );
    expect(rows).toEqual([]);
    expect(s.requests.filter((r) => r.path === '/api/query')).toHaveLength(1);
  });

  it('refuses rows from a page other than the one asked for', async () => {
    const page = (info: string) =>
      fixture('query-replica-job-session.xml').replace(/<PagingInfo[^>]*>/, `${info.slice(0, -3)}>`);
    for (const [info, asked, got] of [
      [paging(1, 2), 2, 1], // a proxy ignoring `page`
      [paging(0, 0), 1, 0],
    ] as const) {
      const stub = await stubEm(() => page(info));
      const error = await failure(
        withSession(stubConfig(stub.url, 'xml'), (em) => all(em, 'ReplicaJobSession')),
      );
      expect(error).toMatchObject({ kind: 'unparseable' });
      expect(error.message).toContain(
        `asked for page ${asked} of a ReplicaJobSession query but got page ${got}`,
      );
    }
  });
});

describe('EM client paging while the EM changes underneath', () => {
  /** A copy of a session under another UID, which sorts by `hex` among the others. */
  const copy = (scenario: Scenario, hex: string, i: number): EntityTypes['ReplicaJobSession'] => {
    const [model] = scenario.replicaJobSessions;
    if (!model) throw new Error('the scenario has no session to copy');
    return {
      ...model,
      uid: `urn:veeam:ReplicaJobSession:${hex.repeat(8)}-0000-4000-8000-${uuid(i).slice(-12)}`,
    };
  };
  const queryPages = (s: Simulator) =>
    s.requests.filter((r) => r.path === '/api/query').map((r) => r.query.page);

  it('sorts by a key no two rows share: UID, and Id for CDP types', async () => {
    const s = await start(estate(1, 1));
    await withSession(config(s), async (em) => {
      await all(em, 'ReplicaJobSession');
      await all(em, 'ReplicaTaskSession');
      await all(em, 'CdpReplicaSession');
      await all(em, 'CdpReplicaTaskSession');
    });
    const sorts = s.requests.filter((r) => r.path === '/api/query').map((r) => r.query.sortAsc);
    expect(sorts).toEqual(['UID', 'UID', 'Id', 'Id']);
  });

  it('a row collected before the offset between two pages: re-read, every row yielded once', async () => {
    const scenario = estate(5, 5); // 25 rows, 3 pages of 10
    const s = await start(scenario);
    const inserted = copy(scenario, '0', 1); // sorts first: every later row moves down one place
    s.faults.add({
      kind: 'mutate',
      path: '/api/query',
      page: 2,
      apply: () => s.add({ replicaJobSessions: [inserted] }),
    });
    const rows = await withSession(config(s), (em) => all(em, 'ReplicaJobSession'));
    expect(rows).toHaveLength(26);
    expect(new Set(rows.map((r) => r.uid)).size).toBe(26);
    expect(rows.map((r) => r.uid)).toContain(inserted.uid);
    expect(queryPages(s)).toEqual(['1', '2', '1', '2', '3']); // page 2 repeated page 1's last row
    expect(s.openSessions()).toBe(0);
  });

  it('PagesCount changing between pages: re-read from page 1', async () => {
    const scenario = estate(4, 5); // 20 rows, 2 pages
    const s = await start(scenario);
    const added = [1, 2, 3, 4, 5].map((i) => copy(scenario, 'f', i)); // sort last: no row repeats
    s.faults.add({
      kind: 'mutate',
      path: '/api/query',
      page: 2,
      apply: () => s.add({ replicaJobSessions: added }),
    });
    const rows = await withSession(config(s), (em) => all(em, 'ReplicaJobSession'));
    expect(new Set(rows.map((r) => r.uid)).size).toBe(25);
    expect(rows).toHaveLength(25);
    expect(queryPages(s)).toEqual(['1', '2', '1', '2', '3']);
  });

  it('a result that keeps changing: gives up after 3 re-reads, leaving it to the next poll', async () => {
    const scenario = estate(2, 10); // 20 rows, 2 pages
    const s = await start(scenario);
    let i = 0;
    s.faults.add({
      kind: 'mutate',
      path: '/api/query',
      page: 2,
      times: Number.POSITIVE_INFINITY,
      apply: () => s.add({ replicaJobSessions: [copy(scenario, '0', ++i)] }),
    });
    const yielded: string[] = [];
    const error = await failure(
      withSession(config(s), async (em) => {
        for await (const page of em.query('ReplicaJobSession', { pageSize: 10 }))
          yielded.push(...page.map((r) => r.uid));
      }),
    );
    expect(error).toMatchObject({ kind: 'unparseable', transient: true });
    expect(error.message).toMatch(
      /ReplicaJobSession query kept changing while it was paged.*next poll retries/,
    );
    expect(queryPages(s)).toEqual(['1', '2', '1', '2', '1', '2', '1', '2']);
    expect(new Set(yielded).size).toBe(yielded.length); // never a UID twice, even across re-reads
    expect(s.openSessions()).toBe(0);
  });
});

describe('EM client listing backup servers', () => {
  it.each(['xml', 'json'] as const)(
    'GET /api/backupServers in %s: UIDs as the sessions carry them',
    async (format) => {
      const s = await start(estate(2, 1));
      const [servers, sessions] = await withSession(
        config(s, { format }),
        async (em) => [await em.backupServers(), await all(em, 'ReplicaJobSession')] as const,
      );
      expect(servers.map((b) => b.name).sort()).toEqual(['vbr00.tech.local', 'vbr01.tech.local']);
      expect(new Set(servers.map((b) => b.uid))).toEqual(new Set(sessions.map((r) => r.backupServerUid)));
      expect(s.requests.find((r) => r.path.startsWith('/api/backupServers'))).toMatchObject({
        method: 'GET',
        query: {},
      });
    },
  );

  it('an unreadable answer: unparseable, naming the request', async () => {
    const s = await start(estate(1, 1));
    s.faults.add({ kind: 'malformed', path: '/api/backupServers' });
    const error = await failure(withSession(config(s), (em) => em.backupServers()));
    expect(error).toMatchObject({ kind: 'unparseable' });
    expect(error.message).toMatch(/answer to a GET \/api\/backupServers: expected an entity reference list/);
  });
});

describe('EM client errors a Veeam admin can act on', () => {
  it('wrong password: credentials, naming the user and what to check, never the password', async () => {
    const s = await start(estate(1, 1));
    const error = await failure(
      withSession(config(s, { credentials: { ...USER, password: `${CANARY}x` } }), async () => 0),
    );
    expect(error).toMatchObject({ kind: 'credentials', status: 401 });
    expect(error.message).toContain('user "TECH\\svc-replica"');
    expect(error.message).toMatch(/Portal User/);
    expect(s.openSessions()).toBe(0);
  });

  it('an account without an EM role: forbidden', async () => {
    const s = await start(estate(1, 1));
    const error = await failure(withSession(config(s, { credentials: NO_ROLE }), async () => 0));
    expect(error).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(error.message).toMatch(/Portal User/);
  });

  it('no REST API on this edition or port: api-not-available', async () => {
    const s = await start(estate(1, 1), { restApi: false });
    const error = await failure(withSession(config(s), async () => 0));
    expect(error).toMatchObject({ kind: 'api-not-available', status: 404 });
    expect(error.message).toMatch(/9398.*edition/);
  });

  it('nothing listening: unreachable, refused', async () => {
    const s = await start(estate(1, 1));
    const url = s.url;
    await s.close();
    sim = undefined;
    const error = await failure(
      withSession({ name: 'em-test', url, credentials: USER, retry: FAST_RETRY }, async () => 0),
    );
    expect(error).toMatchObject({ kind: 'unreachable', transient: true });
    expect(error.message).toMatch(/refused the connection.*TCP 9398/);
  });

  it('a server that does not speak HTTP: unparseable, asked once, not retried', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const error = await failure(
      withSession(
        { name: 'em-test', url: `http://127.0.0.1:${port}/api/`, credentials: USER, retry: FAST_RETRY },
        async () => 0,
      ),
    ).finally(() => server.close());
    expect(error).toMatchObject({ kind: 'unparseable', transient: false });
    expect(error.message).toMatch(/not HTTP.*https:\/\/host:9398\/api\//);
    expect(connections).toBe(1);
  });

  it('https:// on a plain-HTTP port: tls, pointing at the scheme and port', async () => {
    const s = await start(estate(1, 1));
    const error = await failure(
      withSession(config(s, { url: s.url.replace('http:', 'https:') }), async () => 0),
    );
    expect(error).toMatchObject({ kind: 'tls' });
    expect(error.message).toMatch(/did not answer with TLS.*scheme and port/);
  });

  it.each([
    // A page that is not the logon document: its first 120 characters are quoted, the password straddling the cut.
    [201, 'text/html', (quoted: string) => `${'x'.repeat(110)}${quoted}`],
    // The EM's own message: quoted up to 300 characters, the password straddling that cut.
    [
      500,
      'application/xml',
      (quoted: string) => `<Error><Message>${'x'.repeat(290)}${quoted}</Message></Error>`,
    ],
  ] as const)(
    'a logon answer (HTTP %i, %s) quoting the password escaped or cut: none of it shown',
    async (status, type, body) => {
      const password = `${CANARY}"\\&<'>`; // changes under JSON, XML and URL escaping
      const xml = password.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const quoted = [xml, JSON.stringify(password).slice(1, -1), encodeURIComponent(password)].join(' ');
      const server = http.createServer((req, res) => {
        req.resume();
        res.writeHead(status, { 'content-type': type, 'x-restsvcsessionid': 'a-token' });
        res.end(body(quoted));
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const { port } = server.address() as AddressInfo;
      const error = await failure(
        withSession(
          {
            name: 'em-test',
            url: `http://127.0.0.1:${port}/api/`,
            credentials: { username: 'TECH\\svc', password },
            retry: FAST_RETRY,
          },
          async () => 0,
        ),
      ).finally(() => server.close());
      const shown = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
      expect(shown).toMatch(/x{10}.*\[redacted\]/);
      expect(shown).not.toContain(CANARY.slice(0, 6));
    },
  );

  it('a TLS handshake the EM cannot complete (TLS 1.1 only): tls, naming TLS 1.2', async () => {
    const pki = await makePki(['127.0.0.1']);
    const server = tls.createServer({
      key: pki.keyPem,
      cert: pki.certPem,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const error = await failure(
      withSession(
        { name: 'em-test', url: `https://127.0.0.1:${port}/api/`, caPem: pki.caPem, credentials: USER },
        async () => 0,
      ),
    ).finally(() => server.close());
    expect(error).toMatchObject({ kind: 'tls', transient: false });
    expect(error.message).toMatch(/TLS handshake .* failed \(ERR_SSL_.*TLS 1\.2 or later/);
  });

  it('an unresolvable host name: unreachable, DNS', async () => {
    const error = await failure(
      withSession(
        { name: 'em-test', url: 'https://em.invalid:9398/api/', credentials: USER, retry: FAST_RETRY },
        async () => 0,
      ),
    );
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect(error.message).toMatch(/could not be resolved/);
  });

  it('an untrusted certificate: tls, suggesting the CA option, before any request is answered', async () => {
    const s = await start(estate(1, 1), { tls: true });
    const error = await failure(withSession(config(s, { caPem: undefined }), async () => 0));
    expect(error).toMatchObject({ kind: 'tls' });
    expect(error.message).toMatch(/not trusted.*CA/);
    expect(s.requests).toHaveLength(0);
  });

  it('a certificate for another host name: tls, naming the host', async () => {
    const s = await start(estate(1, 1), { tls: { hostnames: ['em.other.example'] } });
    const error = await failure(withSession(config(s), async () => 0));
    expect(error).toMatchObject({ kind: 'tls' });
    expect(error.message).toMatch(/not valid for the host name "127.0.0.1"/);
  });

  it('verification can be turned off only explicitly, and then it warns', async () => {
    const s = await start(estate(1, 1), { tls: true });
    const warnings: string[] = [];
    const rows = await withSession(
      config(s, { caPem: undefined, insecureSkipTlsVerify: true, warn: (m) => warnings.push(m) }),
      (em) => all(em, 'ReplicaJobSession'),
    );
    expect(rows).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/TLS certificate verification is OFF.*insecure/)]);
    seen.push(...warnings);
  });

  it('a proxy page instead of XML: unparseable, showing the first bytes', async () => {
    const s = await start(estate(1, 1));
    s.faults.add({ kind: 'malformed', path: '/api/query' });
    const error = await failure(withSession(config(s), (em) => all(em, 'ReplicaJobSession')));
    expect(error).toMatchObject({ kind: 'unparseable' });
    expect(error.message).toMatch(/ReplicaJobSession query.*HTML page \(a proxy.*<!DOCTYPE html>/);
    expect(s.openSessions()).toBe(0);
  });

  it('an answer over the size limit: too-large', async () => {
    const s = await start(estate(10, 5));
    const error = await failure(
      withSession(config(s, { maxResponseBytes: 4096 }), (em) => all(em, 'ReplicaJobSession')),
    );
    expect(error).toMatchObject({ kind: 'too-large' });
    expect(s.openSessions()).toBe(0);
  });

  it('never shows the password in any error, warning or request record', () => {
    expect(seen.length).toBeGreaterThan(10);
    const everything = [...seen, ...simulators.map((s) => JSON.stringify(s.requests))].join('\n');
    expect(findCanary(everything)).toEqual([]);
  });
});
