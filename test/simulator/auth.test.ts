import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../functions/simulator/index.ts';
import { CANARY, canaryUser, findCanary } from '../support/canary.ts';
import { basic, call, logon, parseXml, SIM_USER, startCanarySimulator } from '../support/simulator.ts';

const NO_ACCESS = canaryUser('TECH\\auditor', 'no-access');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('logon, logoff and tokens', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startCanarySimulator({ users: [SIM_USER, NO_ACCESS] });
  });
  afterAll(() => sim.close());

  it('answers GET /api/ without auth, linking to its own URL', async () => {
    const answer = await call(sim, '/api/');
    expect(answer.status).toBe(200);
    const root = parseXml(answer.text).EnterpriseManager;
    expect(root.Links.Link[1]).toMatchObject({
      '@Rel': 'Create',
      '@Href': `${sim.url}sessionMngr/?v=latest`,
    });
    expect(root.SupportedVersions.SupportedVersion.map((v: { '@Name': string }) => v['@Name'])).toEqual([
      'v1_5',
      'v1_6',
      'v1_7',
    ]);
  });

  it('logs on with 201, an opaque token in the header and a cookie, and a LogonSession body', async () => {
    const answer = await call(sim, 'sessionMngr/?v=latest', {
      method: 'POST',
      headers: { authorization: basic(SIM_USER.username, SIM_USER.password), 'content-length': '0' },
    });
    expect(answer.status).toBe(201);
    const token = answer.headers.get('x-restsvcsessionid') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(token).not.toMatch(GUID);
    expect(answer.headers.get('set-cookie')).toContain(`X-RestSvcSessionId=${token}`);
    expect(answer.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const session = parseXml(answer.text).LogonSession;
    expect(session.SessionId).toMatch(GUID);
    expect(session.UserName).toBe(SIM_USER.username);
    expect(session.Links.Link.find((l: { '@Rel': string }) => l['@Rel'] === 'Delete')['@Href']).toBe(
      `${sim.url}logonSessions/${session.SessionId}`,
    );
  });

  it.each(['v1_5', 'v1_6', 'v1_7'])('accepts API version %s', async (v) => {
    const answer = await call(sim, `sessionMngr/?v=${v}`, {
      method: 'POST',
      headers: { authorization: basic(SIM_USER.username, SIM_USER.password) },
    });
    expect(answer.status).toBe(201);
    const id = parseXml(answer.text).LogonSession.SessionId;
    const token = answer.headers.get('x-restsvcsessionid') ?? '';
    await call(sim, `logonSessions/${id}`, { method: 'DELETE', headers: { 'x-restsvcsessionid': token } });
  });

  it('refuses an unknown API version with 400', async () => {
    const answer = await call(sim, 'sessionMngr/?v=v9_9', {
      method: 'POST',
      headers: { authorization: basic(SIM_USER.username, SIM_USER.password) },
    });
    expect(answer.status).toBe(400);
  });

  it.each([
    ['a wrong password', { authorization: basic(SIM_USER.username, `${CANARY}x`) }],
    ['an unknown user', { authorization: basic('TECH\\nobody', SIM_USER.password) }],
    ['no Authorization header', {}],
    ['a malformed header', { authorization: 'Basic !!!' }],
  ])('answers 401 with WWW-Authenticate and an Error body for %s', async (_, headers) => {
    const answer = await call(sim, 'sessionMngr/?v=latest', { method: 'POST', headers });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic Realm=RestSvc');
    expect(answer.headers.get('x-restsvcsessionid')).toBeNull();
    expect(parseXml(answer.text).Error['@StatusCode']).toBe('401');
  });

  it('answers 403 to a user whose role has no access, and ignores the user name case', async () => {
    const refused = await call(sim, 'sessionMngr/?v=latest', {
      method: 'POST',
      headers: { authorization: basic(NO_ACCESS.username, NO_ACCESS.password) },
    });
    expect(refused.status).toBe(403);
    expect(parseXml(refused.text).Error['@Message']).toContain('TECH\\auditor');
    const { sessionId, token } = await logon(sim, {
      ...SIM_USER,
      username: SIM_USER.username.toUpperCase(),
    });
    await call(sim, `logonSessions/${sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': token },
    });
  });

  it('needs a live token everywhere else: 401 without one or with an unknown one', async () => {
    for (const headers of [{}, { 'x-restsvcsessionid': 'bm90IGEgdG9rZW4=' }] as Record<string, string>[]) {
      const answer = await call(sim, 'query?type=ReplicaJobSession', { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Basic Realm=RestSvc');
    }
  });

  it('logs off with 204 by SessionId; the token is dead after, and open sessions are counted', async () => {
    const before = sim.openSessions();
    const a = await logon(sim);
    const b = await logon(sim);
    expect(sim.openSessions()).toBe(before + 2);
    const off = await call(sim, `logonSessions/${a.sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': a.token },
    });
    expect(off.status).toBe(204);
    expect(off.text).toBe('');
    expect(sim.openSessions()).toBe(before + 1);
    const dead = await call(sim, 'query?type=ReplicaJobSession', {
      headers: { 'x-restsvcsessionid': a.token },
    });
    expect(dead.status).toBe(401);
    const again = await call(sim, `logonSessions/${a.sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': b.token },
    });
    expect(again.status).toBe(404);
    await call(sim, `logonSessions/${b.sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': b.token },
    });
    expect(sim.openSessions()).toBe(before);
  });

  it('lets a cookie win over the header, as the real server does', async () => {
    const live = await logon(sim);
    const stale = await logon(sim);
    await call(sim, `logonSessions/${stale.sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': stale.token },
    });
    const staleCookie = await call(sim, 'query?type=ReplicaJobSession', {
      headers: { 'x-restsvcsessionid': live.token, cookie: `X-RestSvcSessionId=${stale.token}` },
    });
    expect(staleCookie.status).toBe(401);
    const liveCookie = await call(sim, 'query?type=ReplicaJobSession', {
      headers: { 'x-restsvcsessionid': stale.token, cookie: `lang=en; X-RestSvcSessionId=${live.token}` },
    });
    expect(liveCookie.status).toBe(200);
    await call(sim, `logonSessions/${live.sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': live.token },
    });
  });

  it('answers 404 to unknown paths and 405 to a wrong method, with Error bodies (JSON on request)', async () => {
    const { token, sessionId } = await logon(sim);
    const missing = await call(sim, 'backupSessions', { headers: { 'x-restsvcsessionid': token } });
    expect(missing.status).toBe(404);
    expect(parseXml(missing.text).Error['@StatusCode']).toBe('404');
    const wrong = await call(sim, 'sessionMngr/?v=latest', { headers: { accept: 'application/json' } });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(JSON.parse(wrong.text)).toMatchObject({
      StatusCode: 405,
      Message: expect.stringContaining('GET'),
    });
    await call(sim, `logonSessions/${sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': token },
    });
  });

  it('records requests with credentials and tokens redacted', async () => {
    const { token, sessionId } = await logon(sim);
    await call(sim, 'query?type=ReplicaJobSession&pageSize=5', {
      headers: {
        'x-restsvcsessionid': token,
        cookie: `X-RestSvcSessionId=${token}`,
        accept: 'application/json',
      },
    });
    await call(sim, `logonSessions/${sessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': token },
    });
    const [logonRecord, queryRecord, logoffRecord] = sim.requests.slice(-3);
    expect(logonRecord).toMatchObject({
      method: 'POST',
      path: '/api/sessionMngr/',
      query: { v: 'latest' },
      status: 201,
    });
    expect(logonRecord?.headers.authorization).toBe('[redacted]');
    expect(queryRecord).toMatchObject({
      method: 'GET',
      path: '/api/query',
      query: { type: 'ReplicaJobSession', pageSize: '5' },
      status: 200,
      headers: { 'x-restsvcsessionid': '[redacted]', cookie: '[redacted]', accept: 'application/json' },
    });
    expect(logoffRecord).toMatchObject({ method: 'DELETE', status: 204 });
    expect(JSON.stringify(sim.requests)).not.toContain(token);
    expect(findCanary(JSON.stringify(sim.requests))).toEqual([]);
  });
});

describe('token idle expiry', () => {
  it('expires a token left unused longer than tokenIdleMs; using it restarts the timer', async () => {
    // Wide margins: a loaded machine may stall a request by hundreds of milliseconds.
    const sim = await startCanarySimulator({ tokenIdleMs: 2_000 });
    try {
      const { token } = await logon(sim);
      for (let i = 0; i < 3; i++) {
        await sleep(700);
        const used = await call(sim, 'query?type=ReplicaJobSession', {
          headers: { 'x-restsvcsessionid': token },
        });
        expect(used.status).toBe(200); // 2.1 s in all, never 2 s idle
      }
      expect(sim.openSessions()).toBe(1);
      await sleep(2_600);
      expect(sim.openSessions()).toBe(0);
      const expired = await call(sim, 'query?type=ReplicaJobSession', {
        headers: { 'x-restsvcsessionid': token },
      });
      expect(expired.status).toBe(401);
    } finally {
      await sim.close();
    }
  });
});

describe('an edition without the REST API', () => {
  it('answers 404 on every path', async () => {
    const sim = await startCanarySimulator({ restApi: false });
    try {
      expect((await call(sim, '/api/')).status).toBe(404);
      const logonAnswer = await call(sim, 'sessionMngr/?v=latest', {
        method: 'POST',
        headers: { authorization: basic(SIM_USER.username, SIM_USER.password) },
      });
      expect(logonAnswer.status).toBe(404);
      expect(sim.openSessions()).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
