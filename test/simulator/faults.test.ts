import { fetch } from 'undici';
import { describe, expect } from 'vitest';
import {
  call,
  logon,
  parseXml,
  simulatorTest,
  smallEstate,
  startCanarySimulator,
} from '../support/simulator.ts';

const { scenario } = smallEstate();

// Closing the simulator after the file also ends requests left hanging.
const it = simulatorTest({ scenario }).extend(
  'query',
  { scope: 'file' },
  ({ get }) =>
    (params = 'type=ReplicaJobSession&pageSize=4', accept?: string) =>
      get(`query?${params}`, accept),
);
it.beforeEach(({ sim }) => sim.faults.clear());
const timed = async <T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> => {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
};

describe('fault injection', () => {
  it('latency delays the answer', async ({ sim, query }) => {
    const fault = sim.faults.add({ path: '/api/query', kind: 'latency', ms: 250 });
    const slow = await timed(() => query());
    expect(slow.result.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(240);
    expect((await query()).status).toBe(200);
    expect(fault.fired).toBe(1); // once by default: the second answer came without it
  });

  it('reset destroys the connection before any answer', async ({ sim, query }) => {
    sim.faults.add({ kind: 'reset' });
    await expect(query()).rejects.toThrow();
    expect(sim.requests.at(-1)?.status).toBeNull();
    expect((await query()).status).toBe(200);
  });

  it('hang never answers: the client must time out', async ({ sim, token }) => {
    sim.faults.add({ kind: 'hang', path: /^\/api\/query$/ });
    const hung = fetch(new URL('query?type=ReplicaJobSession', sim.url), {
      headers: { 'x-restsvcsessionid': token },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow(/timeout|aborted/i);
    expect(sim.requests.at(-1)?.status).toBeNull();
  });

  it('status answers 5xx with an Error body, `times` times, from the `nth` matching request', async ({
    sim,
    query,
  }) => {
    const fault = sim.faults.add({
      kind: 'status',
      status: 503,
      queryType: 'replicajobsession',
      nth: 2,
      times: 2,
    });
    expect((await query()).status).toBe(200);
    const failed = await query();
    expect(failed.status).toBe(503);
    expect(parseXml(failed.text).Error).toMatchObject({
      '@StatusCode': '503',
      '@Message': 'Service Unavailable',
    });
    expect((await query('type=ReplicaJobSession', 'application/json')).status).toBe(503);
    expect((await query('type=ReplicaTaskSession')).status).toBe(200); // another type: no match
    expect((await query()).status).toBe(200);
    expect(fault).toMatchObject({ matched: 4, fired: 2 });
    sim.faults.add({ kind: 'status', status: 502, method: 'get', message: 'Bad Gateway from the proxy' });
    const gateway = await query('type=ReplicaJobSession', 'application/json');
    expect(gateway.status).toBe(502);
    expect(JSON.parse(gateway.text)).toMatchObject({
      StatusCode: 502,
      Message: 'Bad Gateway from the proxy',
    });
  });

  it('expire-token kills the caller token mid-paging: 401 on page 2 and after', async ({ sim }) => {
    const own = await logon(sim);
    const open = sim.openSessions();
    const headers = { 'x-restsvcsessionid': own.token };
    sim.faults.add({ kind: 'expire-token', queryType: 'ReplicaJobSession', page: 2 });
    expect((await call(sim, 'query?type=ReplicaJobSession&pageSize=4&page=1', { headers })).status).toBe(200);
    const expired = await call(sim, 'query?type=ReplicaJobSession&pageSize=4&page=2', { headers });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Basic Realm=RestSvc');
    expect((await call(sim, 'query?type=ReplicaJobSession&pageSize=4&page=1', { headers })).status).toBe(401);
    expect(sim.openSessions()).toBe(open - 1);
  });

  it('malformed answers 200 with an HTML proxy page', async ({ sim, query }) => {
    sim.faults.add({ kind: 'malformed' });
    const page = await query();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('truncate sends half the body and drops the connection', async ({ sim, token }) => {
    sim.faults.add({ kind: 'truncate' });
    const response = await fetch(new URL('query?type=ReplicaJobSession', sim.url), {
      headers: { 'x-restsvcsessionid': token },
    });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(sim.requests.at(-1)?.status).toBe(200);
  });

  it('matches by method, path prefix or pattern; clear() removes every rule', async ({ sim, get, query }) => {
    sim.faults.add({ kind: 'status', status: 500, method: 'DELETE', times: Number.POSITIVE_INFINITY });
    sim.faults.add({
      kind: 'status',
      status: 504,
      path: '/api/replicaSessions',
      times: Number.POSITIVE_INFINITY,
    });
    expect((await query()).status).toBe(200);
    expect((await get('replicaSessions')).status).toBe(504);
    expect((await call(sim, 'logonSessions/x', { method: 'DELETE' })).status).toBe(500);
    sim.faults.clear();
    expect((await get('replicaSessions')).status).toBe(200);
  });
});

describe('latencyMs', () => {
  it('delays every answer', async () => {
    const slow = await startCanarySimulator({ latencyMs: 120 });
    try {
      const { ms, result } = await timed(() => call(slow, '/api/'));
      expect(result.status).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.close();
    }
  });
});
