// Peers that break the transport: bodies too large or endless, trickling, undecodable, silent after TLS or
// before it, not speaking HTTP. Each poll must end within its bounds with a typed EM failure (never a throw out
// of pollEm, never a secret in any output) and bounded memory.
import type * as http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../functions/simulator/index.ts';
import {
  BASIC,
  front,
  kindOf,
  onQuery,
  PASSWORD,
  pollVia,
  rawServer,
  type Server,
  silentServer,
  simulator,
  stopDynamo,
  tlsServer,
  transcript,
} from './support.ts';

const MB = 1024 * 1024;
let sim: Simulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  await sim?.close();
  server = sim = undefined;
});
afterAll(stopDynamo);

/** Queries answered by `reply`, logon and logoff by the simulator. */
async function queriesAnsweredBy(reply: (res: http.ServerResponse) => void): Promise<Server> {
  sim = await simulator();
  server = await front(sim, onQuery(reply));
  return server;
}

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

describe('bodies', () => {
  it('a 100 MB body: too-large at the default limit, memory bounded by it', async () => {
    const { url } = await queriesAnsweredBy((res) => {
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(100 * MB) });
      stream(res, 100 * MB);
    });
    const before = process.memoryUsage();
    const r = await pollVia(url, { maxResponseBytes: undefined, retry: { attempts: 1 } });
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    expect(kindOf(r)).toBe('too-large');
    expect(r.summary?.status).toBe('em-failed');
    expect(grown).toBeLessThan(160 * MB); // the 32 MB limit, plus what GC has not reclaimed yet
    expect(sim?.openSessions()).toBe(0); // logged off all the same
  }, 60_000);

  it('an endless chunked body: too-large, not an endless read', async () => {
    const { url } = await queriesAnsweredBy((res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      stream(res, Number.POSITIVE_INFINITY);
    });
    const r = await pollVia(url, { maxResponseBytes: 4 * MB });
    expect(kindOf(r)).toBe('too-large');
    expect(r.ms).toBeLessThan(10_000);
  });

  it('a body trickling one byte at a time: timeout, within the request timeout', async () => {
    const { url } = await queriesAnsweredBy((res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write('<');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const r = await pollVia(url, { requestTimeoutMs: 400, retry: { attempts: 1 } });
    expect(kindOf(r)).toBe('timeout');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('invalid UTF-8 in a session name: read with replacement characters, never a crash', async () => {
    const { url } = await queriesAnsweredBy((res) => {
      const head = '<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><ReplicaJobSessions>';
      const bad = Buffer.from([
        0x3c, 0x78, 0x3e, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x78, 0x3e,
      ]);
      const tail =
        '</ReplicaJobSessions></Entities><PagingInfo PageNum="1" PageSize="3" PagesCount="1"/></QueryResult>';
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(Buffer.concat([Buffer.from(head), bad, Buffer.from(tail)]));
    });
    const r = await pollVia(url);
    expect(r.thrown).toBeUndefined();
    expect(['ok', 'unparseable']).toContain(kindOf(r));
  });
});

describe('connections', () => {
  it('TLS completes, then the server never answers: timeout', async () => {
    server = await tlsServer((socket) => socket.resume());
    const r = await pollVia(server.url, { caPem: server.caPem, requestTimeoutMs: 400 });
    expect(kindOf(r)).toBe('timeout');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('TCP accepted, the TLS handshake never answered: timeout', async () => {
    server = await silentServer();
    const r = await pollVia(server.url.replace('http:', 'https:'), { requestTimeoutMs: 400 });
    expect(kindOf(r)).toBe('timeout');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('a server that hangs up at once: unreachable', async () => {
    server = await rawServer((socket) => socket.destroy());
    const r = await pollVia(server.url);
    expect(kindOf(r)).toBe('unreachable');
  });

  it('a server that does not speak HTTP: a clear failure, not a crash', async () => {
    server = await rawServer((socket) => {
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\0\0\0garbage\r\n\r\n');
    });
    const r = await pollVia(server.url);
    expect(r.summary?.status).toBe('em-failed');
    expect(r.summary?.error?.message).toMatch(/^Enterprise Manager "em-hostile": /);
  });

  it('a server that answers an enormous header: a clear failure', async () => {
    server = await rawServer((socket) => {
      socket.once('data', () => socket.end(`HTTP/1.1 200 OK\r\nX-Junk: ${'a'.repeat(2 * MB)}\r\n\r\n`));
    });
    const r = await pollVia(server.url);
    expect(r.summary?.status).toBe('em-failed');
  });
});

it('never shows the password, plain or as Basic credentials', () => {
  const all = transcript.join('\n');
  expect(transcript.length).toBeGreaterThan(10);
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(BASIC);
});
