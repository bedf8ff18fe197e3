// One request and its answer: recorded (secrets redacted), answered in the format asked for, and perhaps met
// by an injected fault instead of the EM's normal answer.

import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from './errors.ts';
import type { FaultRule, Faults } from './faults.ts';
import { type Context, errorReply, type Reply, route, tokenOf, UNAUTHORIZED_HEADERS } from './routes.ts';

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** null while unanswered, and when the connection was reset or hung. */
  status: number | null;
  /** Request headers, lower-case names; credentials and tokens read `[redacted]`. */
  headers: Record<string, string>;
}

/** What every exchange needs: the EM's state, the fault rules, the request log, and server options. */
export interface Exchange {
  ctx: Context;
  faults: Faults;
  requests: RequestRecord[];
  jsonBom: boolean;
  restApi: boolean;
  latencyMs: number;
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-restsvcsessionid']);
const CONTENT_TYPES = { xml: 'application/xml; charset=utf-8', json: 'application/json; charset=utf-8' };
const PROXY_PAGE =
  '<!DOCTYPE html><html><head><title>Web Filter</title></head><body><h1>Access to this site requires ' +
  'authentication</h1><p>Please log in to the proxy to continue.</p></body></html>';

export async function exchange(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  { ctx, faults, requests, ...options }: Exchange,
): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', ctx.base);
  const record: RequestRecord = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    status: null,
    headers: redact(req.headers),
  };
  requests.push(record);
  req.resume(); // no endpoint reads a body
  const format = wantsJson(req.headers.accept) ? 'json' : 'xml';
  const send = (reply: Reply, truncate = false): void => {
    const { contentType, text } = render(reply, format, options.jsonBom);
    const bytes = Buffer.from(text, 'utf8');
    record.status = reply.status;
    res.writeHead(reply.status, {
      ...(contentType && { 'Content-Type': contentType }),
      'Content-Length': String(bytes.length),
      ...reply.headers,
    });
    if (truncate) res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
    else res.end(bytes);
  };
  const answer = (): Reply => {
    if (!options.restApi) return { status: 404, body: { contentType: 'text/plain', text: 'Not Found' } };
    try {
      return route(ctx, { method, url, headers: req.headers });
    } catch (error) {
      if (error instanceof HttpError) return errorReply(error.status, error.message);
      return errorReply(500, error instanceof Error ? error.message : String(error));
    }
  };

  if (options.latencyMs) await sleep(options.latencyMs);
  const fault = faults.take(method, url);
  if (fault?.kind === 'latency') await sleep(fault.ms);
  if (fault && fault.kind !== 'latency') applyFault(fault, { req, send, answer, ctx });
  else send(answer());
}

interface FaultTarget {
  req: http.IncomingMessage;
  send(reply: Reply, truncate?: boolean): void;
  answer(): Reply;
  ctx: Context;
}

function applyFault(fault: Exclude<FaultRule, { kind: 'latency' }>, target: FaultTarget): void {
  switch (fault.kind) {
    case 'reset':
      target.req.socket.destroy();
      return;
    case 'hang':
      return;
    case 'status':
      target.send(errorReply(fault.status, fault.message ?? http.STATUS_CODES[fault.status] ?? 'Error'));
      return;
    case 'expire-token': {
      const token = tokenOf(target.req.headers);
      if (token !== undefined) target.ctx.sessions.expire(token);
      target.send(errorReply(401, 'Unauthorized: the logon session has expired', UNAUTHORIZED_HEADERS));
      return;
    }
    case 'malformed':
      target.send({ status: 200, body: { contentType: 'text/html; charset=utf-8', text: PROXY_PAGE } });
      return;
    case 'truncate':
      target.send(target.answer(), true);
      return;
    case 'mutate':
      fault.apply();
      target.send(target.answer());
      return;
  }
}

function render(
  reply: Reply,
  format: 'xml' | 'json',
  jsonBom: boolean,
): { contentType?: string; text: string } {
  const body = reply.body;
  if (!body) return { text: '' };
  if ('text' in body) return body;
  if (format === 'xml') return { contentType: CONTENT_TYPES.xml, text: body.xml() };
  return {
    contentType: CONTENT_TYPES.json,
    text: `${jsonBom ? '\uFEFF' : ''}${JSON.stringify(body.json())}`,
  };
}

/** JSON only when it is the first media type asked for; the EM's default is XML. */
function wantsJson(accept: string | undefined): boolean {
  return accept?.split(',')[0]?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function redact(headers: http.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SECRET_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : String(value),
    ]),
  );
}
