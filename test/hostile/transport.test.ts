// Peers that break the transport: bodies too large or endless, trickling, undecodable, silent after TLS or
// before it, not speaking HTTP. Each poll must end within its bounds with a typed EM failure (never a throw out
// of pollEm, never a secret in any output) and bounded memory.
import type * as http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../functions/em/config.ts';
import { ScenarioBuilder } from '../../functions/simulator/index.ts';
import { findCanary } from '../support/canary.ts';
import {
  closeStarted,
  front,
  kindOf,
  pollVia,
  queriesAnsweredBy,
  rawServer,
  silentServer,
  simulator,
  stopDynamo,
  tlsServer,
  transcript,
} from './support.ts';

const MB = 1024 * 1024;
const NOW = '2026-11-25T08:00:00.000Z';
afterEach(closeStarted);
afterAll(stopDynamo);

/** Writes `total` bytes of XML-looking filler in 1 MB chunks, as fast as the client reads. */
function stream(res: http.ServerResponse, total: number): void {
  const chunk = Buffer.alloc(MB, '<a>x</a>');
  let sent = 0;
  const more = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

/** One poll, and how far the process's Buffer memory rose above where it started while it ran. */
async function pollWithPeak(...args: Parameters<typeof pollVia>) {
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 2);
  const r = await pollVia(...args).finally(() => clearInterval(sampler));
  return { r, rise: peak - before };
}
/**
 * Above a read's response limit: the chunk in flight and what GC has not reclaimed yet. Measured 1 to 1.5 MB on
 * a 2-core machine; a read that kept going past its limit, or held the body twice, would overshoot it.
 */
const SLACK = 16 * MB;

describe('bodies', () => {
  it('a 100 MB body: too-large at the default limit, memory and time bounded by it', async () => {
    const { sim, server } = await queriesAnsweredBy((res) => {
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(100 * MB) });
      stream(res, 100 * MB);
    });
    const { r, rise } = await pollWithPeak(server.url, {
      maxResponseBytes: undefined,
      retry: { attempts: 1 },
    });
    expect(kindOf(r)).toBe('too-large');
    expect(r.summary?.status).toBe('em-failed');
    expect(rise).toBeLessThan(DEFAULTS.maxResponseBytes + SLACK); // measured 33 MB
    expect(r.ms).toBeLessThan(10_000); // measured 0.4 to 0.8 s: the read stops at the limit
    expect(sim.openSessions()).toBe(0); // logged off all the same
  }, 60_000);

  it('an endless chunked body: too-large, not an endless read, memory bounded by the limit', async () => {
    const { server } = await queriesAnsweredBy((res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      stream(res, Number.POSITIVE_INFINITY);
    });
    const { r, rise } = await pollWithPeak(server.url, { maxResponseBytes: 4 * MB });
    expect(kindOf(r)).toBe('too-large');
    expect(r.ms).toBeLessThan(10_000);
    expect(rise).toBeLessThan(4 * MB + SLACK); // measured 5.4 MB
  });

  it('a body trickling one byte at a time: timeout, within the request timeout', async () => {
    const { server } = await queriesAnsweredBy((res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write('<');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const r = await pollVia(server.url, { requestTimeoutMs: 400, retry: { attempts: 1 } });
    expect(kindOf(r)).toBe('timeout');
    expect(r.ms).toBeLessThan(10_000); // the 30 s default would show
  });

  it('invalid UTF-8 in names and reasons: read with replacement characters, alerted, never a crash', async () => {
    const b = new ScenarioBuilder({ now: NOW, seed: 'utf8' });
    b.replicaJob('Büro Nord').run({
      start: '2026-11-25T07:00:00Z',
      vms: [{ name: 'dc-süd', result: 'Failed', reason: 'Fehler: Datenträger voll' }],
    });
    const sim = await simulator(b.build());
    // Every "ü" (C3 BC) becomes a lone FF byte, and every "ä" (C3 A4) a truncated sequence (C3 28).
    const invalid = (body: Buffer) =>
      Buffer.from(
        body.toString('latin1').replaceAll('\xc3\xbc', '\xff').replaceAll('\xc3\xa4', '\xc3('),
        'latin1',
      );
    const server = await front(sim, () => false, invalid);
    const r = await pollVia(server.url, {}, NOW);
    expect(r.thrown).toBeUndefined();
    expect(r.summary).toMatchObject({ status: 'ok', eventsDecided: 1 });
    const [event] = r.events;
    expect(event?.subject.name).toBe('B\uFFFDro Nord');
    expect(event?.vms).toMatchObject([{ name: 'dc-s\uFFFDd', reason: 'Fehler: Datentr\uFFFD(ger voll' }]);
  });
});

describe('connections', () => {
  it('TLS completes, then the server never answers: timeout', async () => {
    const server = await tlsServer((socket) => socket.resume());
    const r = await pollVia(server.url, { caPem: server.caPem, requestTimeoutMs: 400 });
    expect(kindOf(r)).toBe('timeout');
    expect(r.ms).toBeLessThan(10_000); // the 30 s default would show
  });

  it('TCP accepted, the TLS handshake never answered: timeout', async () => {
    const server = await silentServer();
    const r = await pollVia(server.url.replace('http:', 'https:'), { requestTimeoutMs: 400 });
    expect(kindOf(r)).toBe('timeout');
    expect(r.ms).toBeLessThan(10_000); // the 30 s default would show
  });

  it('a server that hangs up at once: unreachable', async () => {
    const server = await rawServer((socket) => socket.destroy());
    const r = await pollVia(server.url);
    expect(kindOf(r)).toBe('unreachable');
  });

  it('a server that does not speak HTTP: a clear failure, not a crash', async () => {
    const server = await rawServer((socket) => {
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\0\0\0garbage\r\n\r\n');
    });
    const r = await pollVia(server.url);
    expect(r.summary?.status).toBe('em-failed');
    expect(r.summary?.error?.message).toMatch(/^Enterprise Manager "em-hostile": /);
  });

  it('a server that answers an enormous header: a clear failure', async () => {
    const server = await rawServer((socket) => {
      socket.once('data', () => socket.end(`HTTP/1.1 200 OK\r\nX-Junk: ${'a'.repeat(2 * MB)}\r\n\r\n`));
    });
    const r = await pollVia(server.url);
    expect(r.summary?.status).toBe('em-failed');
  });
});

it('never shows the password, plain or as Basic credentials', () => {
  const all = transcript.join('\n');
  expect(transcript.length).toBeGreaterThan(10);
  expect(findCanary(all)).toEqual([]);
});
