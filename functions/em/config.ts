// How to reach one Enterprise Manager, and the defaults every caller (Lambda, CLI, tests) shares.

import { MINUTE } from '../duration.ts';
import { EmError } from './errors.ts';
import type { WireFormat } from './model.ts';

export interface Credentials {
  /** Often `DOMAIN\user` or `user@domain`; the account needs the EM role Portal User. */
  username: string;
  password: string;
}

export interface EmConfig {
  /** A short name used in messages and alerts, e.g. `em-prod`. */
  name: string;
  /** `https://host:9398/api/`, with or without the trailing slash, or just `https://host:9398`. */
  url: string;
  /**
   * Read at each logon. A function is asked once more with `refresh: true` when the EM rejects what it gave
   * (a rotated secret read from a stale cache). Never logged.
   */
  credentials: Credentials | ((options: { refresh: boolean }) => Promise<Credentials>);
  caPem?: string | undefined;
  /** Turns TLS verification off. Insecure: warned about on every run, never a default. */
  insecureSkipTlsVerify?: boolean | undefined;
  format?: WireFormat | undefined;
  /** Rows per query page (explicit: the EM's unstated default is 100 and its maximum is undocumented). */
  pageSize?: number | undefined;
  requestTimeoutMs?: number | undefined;
  /** The whole session (logon to logoff) must end by then; the Lambda passes its remaining time. */
  deadlineMs?: number | undefined;
  /**
   * Aborts the session's requests like the deadline does (the CLI's Ctrl-C); the error is the deadline's, so the
   * caller that aborted tells the two apart. The logoff still runs, on its own short timeout.
   */
  signal?: AbortSignal | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /**
   * Largest answer read. A 500-row page is about 1 MB; 32 MB of rows parses within the Lambda's 384 MB heap,
   * 64 MB does not.
   */
  maxResponseBytes?: number | undefined;
  /**
   * Longest request URL the client builds when batching UIDs into one filter. HTTP.sys, which hosts the EM REST
   * service, allows 16 KB for the request line and headers by default; 4 KB leaves room for proxies.
   */
  maxUrlLength?: number | undefined;
  /** Where warnings go (insecure TLS, plain HTTP, a failed logoff). Defaults to stderr. */
  warn?: ((message: string) => void) | undefined;
}

export interface RetryPolicy {
  /** Attempts per request for transient faults, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULTS = {
  format: 'xml' as WireFormat,
  pageSize: 500,
  requestTimeoutMs: 30_000,
  deadlineMs: 10 * MINUTE,
  retry: { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 } satisfies RetryPolicy,
  maxResponseBytes: 32 * 1024 * 1024,
  maxUrlLength: 4096,
};

/** The URL without the user name and password it may hold (`https://svc:pw@em/` gives `https://***@em/`). */
export function redactUrl(url: string): string {
  const at = url.lastIndexOf('@'); // the last: an unencoded `/` or `@` in a password must not end the redaction
  if (at < 0) return url;
  const scheme = /^[a-z][\w+.-]*:\/\//i.exec(url)?.[0] ?? '';
  return `${at < scheme.length ? '' : scheme}***@${url.slice(at + 1)}`;
}

/**
 * The API base URL ending in `/api/`, from what a user typed: `https://em:9398/api/`, `https://em:9398/api`,
 * `https://em:9398` or `https://em:9398/`. A reverse-proxy prefix (`https://proxy/veeam/api/`) is kept.
 */
export function apiBase(em: string, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(em, `the URL "${redactUrl(url)}" is not a valid URL.`);
  }
  if (parsed.username || parsed.password) {
    // Never echo the URL: it holds a credential.
    throw configError(
      em,
      'the URL contains a user name or password; give credentials separately, not in the URL.',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw configError(em, `the URL must start with https:// (got ${parsed.protocol}).`);
  }
  if (parsed.search || parsed.hash) {
    throw configError(
      em,
      `the URL must not have a query or fragment; use e.g. https://${parsed.hostname}:9398/api/.`,
    );
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  // IIS paths ignore case: `/API/` is the API root too, and must not become `/API/api/`.
  parsed.pathname = `${/\/api$/i.test(path) ? path : `${path}/api`}/`;
  return parsed;
}

function configError(em: string, what: string): EmError {
  return new EmError('config', what, 'Expected a URL such as https://em.example.com:9398/api/.', { em });
}

/** Loopback hosts, where plain HTTP carries no credential across a network (the simulator, an SSH tunnel). */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
