// The HTTP transport to one EM: undici with keep-alive, TLS always verified (against a PEM CA bundle if given),
// a per-request timeout, a bounded response size, and failures classified into actionable `EmError`s.

import { Agent, request } from 'undici';
import { EmError } from './errors.ts';

export interface TransportOptions {
  em: string;
  /** PEM bundle of the CA(s) that issued the EM's certificate; when given, only these CAs are trusted. */
  caPem?: string | undefined;
  /** Skips certificate verification: insecure, never the default, and warned about on every run. */
  insecureSkipTlsVerify?: boolean | undefined;
  requestTimeoutMs: number;
  maxResponseBytes: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** Aborts when the caller's overall deadline passes. */
  deadline: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
/** The TLS handshake met something that does not speak TLS: `https://` on a plain-HTTP port, or the reverse. */
const PROTOCOL_CODES = new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CLOSED']);
const ROUTE_CODES = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN']);

export class Transport {
  private readonly agent: Agent;

  constructor(private readonly options: TransportOptions) {
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: 4,
      connect: {
        timeout: options.requestTimeoutMs,
        ...(options.caPem ? { ca: options.caPem } : {}),
        rejectUnauthorized: options.insecureSkipTlsVerify !== true,
      },
    });
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        dispatcher: this.agent,
        signal: AbortSignal.any([req.deadline, timeout]),
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
      });
      return { status: res.statusCode, headers: res.headers, body: await this.readBody(res.body, req.url) };
    } catch (error) {
      throw this.classify(error, req, timeout);
    }
  }

  private async readBody(body: AsyncIterable<Buffer> & { destroy(): void }, url: URL): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > this.options.maxResponseBytes) {
        body.destroy();
        throw new EmError(
          'too-large',
          `the answer to ${url.pathname} exceeded ${this.options.maxResponseBytes} bytes and was abandoned.`,
          'Lower the page size, or raise the response size limit if this EM really sends pages that large.',
          { em: this.options.em },
        );
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private classify(error: unknown, req: HttpRequest, timeout: AbortSignal): EmError {
    if (error instanceof EmError) return error;
    const { em } = this.options;
    const where = `${req.url.host}`;
    const codes = causeCodes(error);
    const detail = { em, cause: error };
    if (req.deadline.aborted) {
      return new EmError(
        'timeout',
        `the time allowed for this EM session ran out while waiting for ${req.url.pathname}.`,
        'The EM answers too slowly for the time a poll has: check its load, or give polls more time ' +
          '(the Lambda timeout, or fewer EMs per invocation).',
        detail,
      );
    }
    if (timeout.aborted || codes.some((c) => TIMEOUT_CODES.has(c))) {
      return new EmError(
        'timeout',
        `${where} did not answer ${req.url.pathname} within ${this.options.requestTimeoutMs} ms.`,
        'Check that the EM service is running and not overloaded, and that port 9398 is open from here.',
        { ...detail, transient: true },
      );
    }
    const tls = codes.find((c) => TLS_CODES.has(c));
    if (tls) return new EmError('tls', ...certificateAdvice(tls, req.url), detail);
    const protocol = codes.find((c) => PROTOCOL_CODES.has(c));
    if (protocol) {
      return new EmError(
        'tls',
        `${where} did not answer with TLS (${protocol}).`,
        'Check the scheme and port of the EM URL: the REST API is https:// on port 9398.',
        detail,
      );
    }
    const handshake = codes.find((c) => c.startsWith('ERR_SSL_'));
    if (handshake) {
      return new EmError(
        'tls',
        `the TLS handshake with ${where} failed (${handshake}).`,
        "The EM's port 9398 must offer TLS 1.2 or later with current ciphers: check its certificate binding.",
        detail,
      );
    }
    if (causes(error).some((e) => (e as { name?: unknown }).name === 'HTTPParserError')) {
      return new EmError(
        'unparseable',
        `${where} answered ${req.url.pathname} with something that is not HTTP (${describe(error)}).`,
        'Check that the EM URL names the Enterprise Manager REST API (https://host:9398/api/), not another service.',
        detail,
      );
    }
    if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
      return new EmError(
        'unreachable',
        `the host name "${req.url.hostname}" could not be resolved (${codes.join(', ')}).`,
        'Check the EM URL and the DNS resolver used from here.',
        { ...detail, transient: codes.includes('EAI_AGAIN') },
      );
    }
    if (codes.includes('ECONNREFUSED')) {
      return new EmError(
        'unreachable',
        `${where} refused the connection.`,
        'Check that the Veeam Backup Enterprise Manager service runs, that the REST API is on port 9398, and that ' +
          'a firewall allows TCP 9398 from here.',
        { ...detail, transient: true },
      );
    }
    const reset = codes.find((c) => RESET_CODES.has(c) || ROUTE_CODES.has(c));
    return new EmError(
      'unreachable',
      `the connection to ${where} failed during ${req.url.pathname} (${reset ?? (codes.join(', ') || describe(error))}).`,
      'Check the network path to the EM (VPN, proxy, firewall).',
      { ...detail, transient: reset !== undefined }, // only a dropped connection or route is worth retrying
    );
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function certificateAdvice(code: string, url: URL): [string, string] {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return [
      `the TLS certificate of ${url.host} is not valid for the host name "${url.hostname}" (${code}).`,
      'Use the host name the certificate was issued for in the EM URL, or reissue the certificate.',
    ];
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return [
      `the TLS certificate of ${url.host} is outside its validity period (${code}).`,
      "Renew the EM's certificate (IIS binding of port 9398), or check this machine's clock.",
    ];
  }
  return [
    `the TLS certificate of ${url.host} is not trusted (${code}).`,
    "Give the EM's CA certificate (PEM) with the CA option (caCert in the secret, --ca-file in the CLI); " +
      'an EM with a self-signed certificate needs that certificate itself.',
  ];
}

/** An error and its causes (undici wraps socket and TLS errors; its parser error, HTTPParserError, has no code). */
function causes(error: unknown): object[] {
  const chain: object[] = [];
  for (
    let e: unknown = error;
    e && typeof e === 'object' && chain.length < 8;
    e = (e as { cause?: unknown }).cause
  )
    chain.push(e);
  return chain;
}

/** Every `code` along an error's cause chain. */
function causeCodes(error: unknown): string[] {
  return causes(error)
    .map((e) => (e as { code?: unknown }).code)
    .filter((code): code is string => typeof code === 'string');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
