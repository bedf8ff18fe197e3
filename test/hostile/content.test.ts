// Hostile answers to well-formed requests: XML bombs and external entities, deep nesting, the wrong format or
// content type, proxy pages, and an EM echoing the credentials back. Each must end as a clear, bounded failure of
// that poll (or a correct read), never a crash, and never with the password in what is logged or sent.
import type * as http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findCanary } from '../support/canary.ts';
import {
  closeStarted,
  front,
  kindOf,
  pollVia,
  queriesAnsweredBy,
  simulator,
  stopDynamo,
  transcript,
} from './support.ts';

afterEach(closeStarted);
afterAll(stopDynamo);

const answer = (status: number, type: string, body: string) => (res: http.ServerResponse) => {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
};

async function pollWithQueriesAnswered(
  reply: (res: http.ServerResponse) => void,
  format: 'xml' | 'json' = 'xml',
) {
  const { server } = await queriesAnsweredBy(reply);
  return pollVia(server.url, { format });
}

const LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
  ']><QueryResult>&lol9;</QueryResult>';
const XXE =
  '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><QueryResult>&xxe;</QueryResult>';
const DEEP = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
const PROXY_PAGE = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';

describe('parsing', () => {
  it.each([
    ['billion laughs', answer(200, 'application/xml', LAUGHS), 'xml', /DTD, which is refused/],
    ['an external entity', answer(200, 'application/xml', XXE), 'xml', /DTD, which is refused/],
    ['100,000 nested elements', answer(200, 'application/xml', DEEP), 'xml', /could not read/],
    ['JSON where XML was asked', answer(200, 'application/json', '{"QueryResult":{}}'), 'xml', /not XML/],
    ['XML where JSON was asked', answer(200, 'application/xml', '<QueryResult/>'), 'json', /JSON is invalid/],
    ['a proxy page with 200', answer(200, 'text/html', PROXY_PAGE), 'xml', /HTML page/],
    [
      'an undefined entity',
      answer(200, 'application/xml', '<QueryResult>&boom;</QueryResult>'),
      'xml',
      /the XML uses "&boom;", which is not one of XML's entities/,
    ],
  ] as const)('%s: a clear, bounded failure', async (_name, reply, format, reason) => {
    const r = await pollWithQueriesAnswered(reply, format);
    expect(r.thrown).toBeUndefined();
    expect(r.summary?.status).toBe('em-failed');
    expect(kindOf(r)).toBe('unparseable');
    expect(r.summary?.error?.message).toMatch(reason);
    expect(r.summary?.error?.message.length).toBeLessThan(1_000); // the body is quoted, never whole
    expect(r.ms).toBeLessThan(10_000);
    expect(JSON.stringify(r)).not.toContain('root:x:0:0');
  });

  it.each([
    [502, 'text/html', PROXY_PAGE, /HTTP 502/],
    [407, 'text/html', '<html><body>Proxy Authentication Required</body></html>', /HTTP 407/],
    [500, 'text/plain', 'Internal error\n   at Veeam.Backup.Foo()', /HTTP 500/],
  ] as const)('HTTP %i with a %s page: em-error naming the status', async (status, type, body, reason) => {
    const r = await pollWithQueriesAnswered(answer(status, type, body));
    expect(kindOf(r)).toBe('em-error');
    expect(r.summary?.error?.message).toMatch(reason);
  });

  it('a wrong content type on a correct body: read all the same', async () => {
    const upstream = await simulator();
    const server = await front(upstream, (req, res) => {
      if (!req.url?.startsWith('/api/query')) return false;
      // The real answer, relabelled as a proxy would (text/html; charset=ISO-8859-1).
      void fetch(new URL(req.url, upstream.url), { headers: req.headers as Record<string, string> }).then(
        async (reply) => answer(reply.status, 'text/html; charset=ISO-8859-1', await reply.text())(res),
      );
      return true;
    });
    expect(kindOf(await pollVia(server.url))).toBe('ok');
  });
});

describe('credentials reflected by a proxy or the EM', () => {
  /** Echoes the Authorization header and the credentials it decodes to, as some error pages do. */
  const echo = (status: number, type: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.startsWith('/api/sessionMngr')) return false;
    req.resume();
    const auth = String(req.headers.authorization);
    const plain = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
    const said = `Logon failed for ${plain} (${auth})`;
    const body =
      type === 'application/xml'
        ? `<Error xmlns="http://www.veeam.com/ent/v1.0"><Message>${said}</Message><StatusCode>${status}</StatusCode></Error>`
        : `<html><body>${said}</body></html>`;
    res.writeHead(status, { 'content-type': type, 'x-restsvcsessionid': 'token-of-a-broken-logon' });
    res.end(body);
    return true;
  };

  it.each([
    [500, 'application/xml'],
    [401, 'application/xml'],
    [403, 'application/xml'],
    [503, 'application/xml'],
    [201, 'text/html'], // "logged on", with a page that cannot be read: its first bytes are quoted
    [502, 'text/html'],
  ] as const)('HTTP %i, %s: the poll fails without repeating the password', async (status, type) => {
    const server = await front(await simulator(), echo(status, type));
    const r = await pollVia(server.url);
    expect(r.summary?.status).toBe('em-failed');
    const out = JSON.stringify(r.summary) + r.logs.join('\n') + JSON.stringify(r.published);
    expect(findCanary(out)).toEqual([]);
  });
});

it('never shows the password, plain or as Basic credentials', () => {
  const all = transcript.join('\n');
  expect(transcript.length).toBeGreaterThan(10);
  expect(findCanary(all)).toEqual([]);
});
