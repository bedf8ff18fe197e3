import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { basic, call, logon, SIM_USER, startCanarySimulator } from '../support/simulator.ts';

/** The TLS error code under undici's `fetch failed`. */
const tlsError = (request: Promise<unknown>): Promise<string | undefined> =>
  request.then(
    () => undefined,
    (error: Error) => (error.cause as { code?: string } | undefined)?.code,
  );

describe('HTTPS', () => {
  it('serves HTTPS with a certificate from a CA made at start-up, for 127.0.0.1 and localhost', async () => {
    const sim = await startCanarySimulator({ tls: true });
    const trusting = new Agent({ connect: { ca: sim.caPem } });
    const asLocalhost = new Agent({ connect: { ca: sim.caPem, servername: 'localhost' } });
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/$/);
      expect(sim.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const { token, sessionId } = await logon(sim, undefined, trusting);
      expect((await call(sim, '/api/', { dispatcher: asLocalhost })).status).toBe(200);
      const logoff = await call(sim, `logonSessions/${sessionId}`, {
        method: 'DELETE',
        headers: { 'x-restsvcsessionid': token },
        dispatcher: trusting,
      });
      expect(logoff.status).toBe(204);
      expect(await tlsError(call(sim, '/api/'))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await Promise.all([trusting.close(), asLocalhost.close()]);
      await sim.close();
    }
  });

  it('marks the logon cookie Secure over HTTPS', async () => {
    const sim = await startCanarySimulator({ tls: true });
    const trusting = new Agent({ connect: { ca: sim.caPem } });
    try {
      const answer = await call(sim, 'sessionMngr/?v=latest', {
        method: 'POST',
        headers: { authorization: basic(SIM_USER.username, SIM_USER.password) },
        dispatcher: trusting,
      });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('set-cookie')).toMatch(/; Secure$/);
    } finally {
      await trusting.close();
      await sim.close();
    }
  });

  it('fails host-name verification when the certificate names other hosts', async () => {
    const sim = await startCanarySimulator({ tls: { hostnames: ['em01.tech.local'] } });
    const trusting = new Agent({ connect: { ca: sim.caPem } });
    const asEm01 = new Agent({ connect: { ca: sim.caPem, servername: 'em01.tech.local' } });
    try {
      expect(await tlsError(call(sim, '/api/', { dispatcher: trusting }))).toBe(
        'ERR_TLS_CERT_ALTNAME_INVALID',
      );
      expect((await call(sim, '/api/', { dispatcher: asEm01 })).status).toBe(200);
    } finally {
      await Promise.all([trusting.close(), asEm01.close()]);
      await sim.close();
    }
  });
});
