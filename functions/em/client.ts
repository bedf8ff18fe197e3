// The Enterprise Manager REST client: one logon session per unit of work (`withSession`), always logged off,
// typed queries streamed page by page, per-VM task sessions fetched in OR batches, transient faults retried.

import { setTimeout as sleep } from 'node:timers/promises';
import { apiBase, type Credentials, DEFAULTS, type EmConfig, isLoopback } from './config.ts';
import {
  isEmptyResult,
  type Page,
  parseApiVersions,
  parseBackupServers,
  parseEmErrorMessage,
  parseLogonSession,
  parseQueryPage,
} from './entities.ts';
import { EmError, EmParseError, scrubSecrets, withoutSecrets } from './errors.ts';
import { anyOf, eq, type Filter } from './filter.ts';
import { type HttpResponse, Transport } from './http.ts';
import { type EntityType, type EntityTypes, type QueryType, uidField, type WireFormat } from './model.ts';

type Method = 'GET' | 'POST' | 'DELETE';
const LOGOFF_TIMEOUT_MS = 5_000;
/** Re-reads of a query whose result changed while it was paged, before leaving it to the next poll. */
const MAX_REREADS = 3;

interface CallOptions {
  headers?: Record<string, string>;
  /** The logon request: Basic auth instead of the token, and its credentials scrubbed from the answer. */
  logon?: { username: string; secrets: readonly string[] };
  /** Instead of the session's deadline (the logoff has its own). */
  deadline?: AbortSignal;
}
export type TaskType = 'ReplicaTaskSession' | 'CdpReplicaTaskSession';
/** The filter field naming a task session's parent session. */
export const TASK_PARENT = {
  ReplicaTaskSession: 'JobSessionUid',
  CdpReplicaTaskSession: 'PolicySessionUid',
} as const;

/** A query read page by page: what `EmSession.pages` asks for, and how it reads each page. */
interface PagedQuery<T> {
  type: QueryType;
  parse: (body: string, format: WireFormat) => Page<T>;
  filter: Filter | undefined;
  pageSize: number;
}

export interface QueryOptions {
  filter?: Filter | undefined;
  pageSize?: number | undefined;
}

/** Runs `work` inside one EM logon session and logs off afterwards, also when `work` throws. */
export async function withSession<T>(config: EmConfig, work: (em: EmSession) => Promise<T>): Promise<T> {
  const em = await EmSession.open(config);
  try {
    return await work(em);
  } finally {
    const failure = await em.close();
    if (failure) warner(config)(`logoff from Enterprise Manager "${config.name}" failed: ${failure.message}`);
  }
}

/** Where a session's warnings go: the configured callback, or stderr. */
const warner = (config: EmConfig) =>
  config.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));

export class EmSession {
  /** Requests sent, retries and re-logons included: the poller reports it and the benchmark counts it. */
  requestCount = 0;
  private token = '';
  private sessionId = '';
  private relogon: Promise<void> | undefined;
  private readonly deadline: AbortSignal;
  private readonly format: WireFormat;
  private readonly warn: (message: string) => void;

  private constructor(
    private readonly config: EmConfig,
    private readonly base: URL,
    private readonly transport: Transport,
  ) {
    const deadline = AbortSignal.timeout(config.deadlineMs ?? DEFAULTS.deadlineMs);
    this.deadline = config.signal ? AbortSignal.any([deadline, config.signal]) : deadline;
    this.format = config.format ?? DEFAULTS.format;
    this.warn = warner(config);
  }

  static async open(config: EmConfig): Promise<EmSession> {
    const base = apiBase(config.name, config.url);
    const transport = new Transport({
      em: config.name,
      caPem: config.caPem,
      insecureSkipTlsVerify: config.insecureSkipTlsVerify,
      requestTimeoutMs: config.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxResponseBytes: config.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    });
    const em = new EmSession(config, base, transport);
    if (config.insecureSkipTlsVerify) {
      em.warn(
        `TLS certificate verification is OFF for Enterprise Manager "${config.name}": insecure, use a CA file.`,
      );
    }
    if (base.protocol === 'http:' && !isLoopback(base)) {
      em.warn(
        `Enterprise Manager "${config.name}" is reached over plain HTTP: credentials cross the network unencrypted.`,
      );
    }
    try {
      await em.logon();
    } catch (error) {
      await transport.close();
      throw error;
    }
    return em;
  }

  /** The EM's name as configured. */
  get name(): string {
    return this.config.name;
  }

  /** The API versions the EM supports (`GET /api/`), e.g. `v1_7` for VBR 12 and 13. */
  async apiVersions(): Promise<string[]> {
    const res = await this.call('GET', this.base);
    return this.parse(() => parseApiVersions(res.body, this.format), 'GET /api/');
  }

  /**
   * Streams every row of a query, one page at a time, reading pages up to `PagesCount` (the next one prefetched).
   * Pages are offsets into the result, so rows the EM adds while we page (a data collection landing) shift them:
   * a boundary row comes twice or not at all. A row seen twice, or a changed `PagesCount`, re-reads from page 1;
   * no UID is yielded twice, and pages with nothing new are not yielded.
   */
  async *query<K extends EntityType>(type: K, options: QueryOptions = {}): AsyncGenerator<EntityTypes[K][]> {
    yield* this.pages(type, (body, format) => parseQueryPage(type, body, format), options);
  }

  /** `query` for any type, each page read by `parse` (the schedule types read theirs leniently: schedules.ts). */
  async *pages<T extends { uid: string }>(
    type: QueryType,
    parse: (body: string, format: WireFormat) => Page<T>,
    options: QueryOptions = {},
  ): AsyncGenerator<T[]> {
    const pageSize = options.pageSize ?? this.config.pageSize ?? DEFAULTS.pageSize;
    const read = (page: number) => this.queryPage({ type, parse, filter: options.filter, pageSize }, page);
    const seen = new Map<string, number>(); // UID → the last pass that read it
    for (let pass = 0; pass <= MAX_REREADS; pass++) {
      if (yield* this.readPass(read, seen, pass)) return;
    }
    throw new EmError(
      'unparseable',
      `the result of a ${type} query kept changing while it was paged (read ${MAX_REREADS + 1} times).`,
      'The EM is probably collecting data from its backup servers; the next poll retries.',
      { em: this.name, transient: true },
    );
  }

  /** One pass over every page, yielding rows no pass has yielded; false when the result changed under it. */
  private async *readPass<T extends { uid: string }>(
    read: (page: number) => Promise<Page<T>>,
    seen: Map<string, number>,
    pass: number,
  ): AsyncGenerator<T[], boolean> {
    let next: Promise<Page<T>> | undefined = read(1);
    let pagesCount = 0;
    try {
      for (let page = 1; next; page++) {
        const current: Page<T> = await next;
        next = undefined;
        if (page === 1) pagesCount = current.pagesCount;
        if (current.pagesCount !== pagesCount || current.items.some((row) => seen.get(row.uid) === pass))
          return false;
        next = page < pagesCount ? read(page + 1) : undefined;
        next?.catch(() => {}); // observed when awaited; avoids an unhandled rejection if the consumer stops early
        const fresh: T[] = [];
        for (const row of current.items) {
          if (!seen.has(row.uid)) fresh.push(row);
          seen.set(row.uid, pass);
        }
        if (fresh.length) yield fresh;
      }
      return true;
    } finally {
      await next?.catch(() => {}); // no request may outlive the session
    }
  }

  /**
   * Task sessions (per-VM results) of many job or policy sessions, asked for in OR batches of session UIDs that
   * keep each URL under `maxUrlLength`: requests grow with N / batch, not with N.
   */
  async *tasksOf<T extends TaskType>(
    type: T,
    sessionUids: readonly string[],
  ): AsyncGenerator<EntityTypes[T][]> {
    yield* this.queryByUids(type, TASK_PARENT[type], sessionUids);
  }

  /** Rows whose `field` equals one of `uids`, asked for in OR batches that keep each URL under the limit. */
  async *queryByUids<K extends EntityType>(
    type: K,
    field: string,
    uids: readonly string[],
  ): AsyncGenerator<EntityTypes[K][]> {
    for (const batch of this.uidBatches(type, field, uids)) {
      yield* this.query(type, { filter: anyOf(field, batch) });
    }
  }

  /**
   * Splits UIDs into the batches `queryByUids` sends; every batch but the last is full. `reserve`: characters of the
   * URL-encoded filter that go with each batch besides its OR of terms.
   */
  *uidBatches(type: EntityType, field: string, uids: readonly string[], reserve = 0): Generator<string[]> {
    const limit = this.config.maxUrlLength ?? DEFAULTS.maxUrlLength;
    const fixed = this.urlWithoutFilter(type) + reserve;
    let batch: string[] = [];
    let length = fixed;
    for (const uid of new Set(uids)) {
      const term = encodeURIComponent(String(eq(field, uid))).length + (batch.length ? 3 : 0); // `,` is `%2C`
      if (batch.length && length + term > limit) {
        yield batch;
        batch = [];
        length = fixed;
      }
      batch.push(uid);
      length += term;
    }
    if (batch.length) yield batch;
  }

  /** Whether a query of `type` with this filter keeps its URL under the limit (every page of it). */
  fits(type: EntityType, filter: Filter): boolean {
    const limit = this.config.maxUrlLength ?? DEFAULTS.maxUrlLength;
    return this.urlWithoutFilter(type) + encodeURIComponent(String(filter)).length <= limit;
  }

  /** The URL without the filter's value: `&filter=` included, and the longest page number we could ask for. */
  private urlWithoutFilter(type: EntityType): number {
    const pageSize = this.config.pageSize ?? DEFAULTS.pageSize;
    return this.queryUrl(type, '', pageSize, 999_999).href.length + '&filter='.length;
  }

  /** The backup servers the EM collects from (`GET /api/backupServers`), UIDs spelt as sessions carry them. */
  async backupServers(): Promise<{ uid: string; name: string }[]> {
    const res = await this.call('GET', new URL('backupServers', this.base));
    return this.parse(() => parseBackupServers(res.body, this.format), 'GET /api/backupServers');
  }

  private queryUrl(type: QueryType, filter: string, pageSize: number, page: number): URL {
    const params = [
      `type=${type}`,
      'format=Entities',
      // A key no two rows share, so every read of the result orders it the same way (creation times tie, and a
      // late collection inserts old ones mid-result anyway): only inserted rows shift pages, and `query` sees that.
      `sortAsc=${uidField(type)}`,
      `pageSize=${pageSize}`,
      `page=${page}`,
      ...(filter ? [`filter=${encodeURIComponent(filter)}`] : []),
    ];
    const url = new URL('query', this.base);
    url.search = params.join('&');
    return url;
  }

  private async queryPage<T>(query: PagedQuery<T>, page: number): Promise<Page<T>> {
    const { type, parse, filter, pageSize } = query;
    const url = this.queryUrl(type, filter ? String(filter) : '', pageSize, page);
    const res = await this.call('GET', url);
    const parsed = this.parse(() => parse(res.body, this.format), `${type} query`);
    if (isEmptyResult(parsed)) return { ...parsed, pagesCount: 0 }; // no rows, and no page to check or follow
    if (parsed.pageNum !== page) {
      throw new EmError(
        'unparseable',
        `asked for page ${page} of a ${type} query but got page ${parsed.pageNum}.`,
        'The EM or a proxy in between does not honour paging; report this with the EM version.',
        { em: this.name },
      );
    }
    // Parsed strings are slices of the page body and would keep every body alive: copy them out.
    return { ...parsed, items: structuredClone(parsed.items) };
  }

  private parse<T>(read: () => T, what: string): T {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof EmParseError)) throw error;
      throw new EmError(
        'unparseable',
        `could not read the answer to a ${what}: ${error.message}.`,
        'A proxy may be answering instead of the EM, or the EM version is one we do not know.',
        { em: this.name, cause: error },
      );
    }
  }

  private async logon(): Promise<void> {
    const source = this.config.credentials;
    if (typeof source !== 'function') return this.logonWith(source);
    try {
      await this.logonWith(await source({ refresh: false }));
    } catch (error) {
      if (!(error instanceof EmError && error.kind === 'credentials')) throw error;
      await this.logonWith(await source({ refresh: true })); // the secret may have been rotated since it was cached
    }
  }

  private async logonWith({ username, password }: Credentials): Promise<void> {
    const basic = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    // The EM's words and the first bytes of an unreadable answer are quoted in errors; a proxy or an EM echoing
    // the logon request would put the password there, and from there into logs and the unreachable alert. So the
    // answer is scrubbed before anything quotes, escapes or cuts it, and the error once more on its way out.
    // Found by test/hostile/content.test.ts ("credentials reflected by a proxy or the EM").
    const secrets = [password, basic];
    try {
      await this.logonAs(username, basic, secrets);
    } catch (error) {
      throw error instanceof Error ? withoutSecrets(error, secrets) : error;
    }
  }

  private async logonAs(username: string, basic: string, secrets: readonly string[]): Promise<void> {
    const url = new URL('sessionMngr/?v=latest', this.base);
    const res = await this.call('POST', url, {
      headers: { Authorization: `Basic ${basic}`, 'Content-Length': '0' },
      logon: { username, secrets },
    });
    const token = res.headers['x-restsvcsessionid'];
    if (typeof token !== 'string' || !token) {
      throw new EmError(
        'unparseable',
        'the logon answer had no X-RestSvcSessionId header.',
        'A proxy between here and the EM may be stripping headers: connect to port 9398 directly.',
        {
          em: this.name,
        },
      );
    }
    this.token = token;
    this.sessionId = this.parse(() => parseLogonSession(res.body, this.format), 'logon').sessionId;
  }

  /** Logs off (DELETE the logon session) and releases connections; a failed logoff is returned, never thrown. */
  async close(): Promise<Error | undefined> {
    try {
      if (this.sessionId) {
        // Its own few seconds: a poll cut short by its deadline or its signal must still free its EM session.
        const deadline = AbortSignal.timeout(LOGOFF_TIMEOUT_MS);
        await this.call('DELETE', new URL(`logonSessions/${this.sessionId}`, this.base), { deadline });
      }
      return undefined;
    } catch (error) {
      return error as Error;
    } finally {
      this.sessionId = '';
      await this.transport.close();
    }
  }

  /**
   * One request with the session token, retried with exponential backoff and full jitter on transient faults
   * (reset, refused, timeout, 502/503/504); a 401 is answered by one re-logon and a retry of the request.
   */
  private async call(method: Method, url: URL, options: CallOptions = {}) {
    const retry = { ...DEFAULTS.retry, ...this.config.retry };
    const { logon, deadline = this.deadline } = options;
    let reloggedOn = false;
    for (let attempt = 1; ; attempt++) {
      const token = this.token;
      const headers = {
        Accept: this.format === 'json' ? 'application/json' : 'application/xml',
        ...(logon ? {} : { 'X-RestSvcSessionId': token }),
        ...options.headers,
      };
      let failure: EmError;
      try {
        this.requestCount++;
        const res = await this.transport.send({ method, url, headers, deadline });
        if (logon) res.body = scrubSecrets(res.body, logon.secrets);
        if (res.status < 400) return res;
        if (res.status === 401 && !logon && !reloggedOn && method !== 'DELETE') {
          reloggedOn = true; // expired token mid-run: log on again once, then retry this request
          await this.renewToken(token);
          attempt--;
          continue;
        }
        failure = this.statusError(method, url, res, logon?.username);
      } catch (error) {
        if (!(error instanceof EmError)) throw error;
        failure = error;
      }
      if (!failure.transient || attempt >= retry.attempts) throw failure;
      const delay = Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay, undefined, { signal: deadline }).catch(() => {
        throw failure; // the deadline passed while backing off
      });
    }
  }

  /** One re-logon however many requests saw the token expire at once (the prefetched page, for one). */
  private async renewToken(expired: string): Promise<void> {
    if (this.token !== expired) return;
    this.relogon ??= this.logon().finally(() => {
      this.relogon = undefined;
    });
    await this.relogon;
  }

  private statusError(method: Method, url: URL, res: HttpResponse, logonUser?: string): EmError {
    const status = res.status;
    const emMessage = parseEmErrorMessage(res.body);
    const said = emMessage ? ` The EM said: "${emMessage.slice(0, 300)}"` : '';
    const detail = { em: this.name, status };
    const path = url.pathname;
    if (status === 401) {
      return new EmError(
        'credentials',
        logonUser !== undefined
          ? `the EM rejected the credentials of user "${logonUser}" (HTTP 401).`
          : `the EM rejected a fresh session token on ${method} ${path} (HTTP 401).`,
        'Check the user name (DOMAIN\\user or user@domain), the password, and that the account has an Enterprise ' +
          'Manager role (Portal User is enough).',
        detail,
      );
    }
    if (status === 403) {
      return new EmError(
        'forbidden',
        `the account may not use ${method} ${path} (HTTP 403).${said}`,
        'Give the account the Enterprise Manager role Portal User (or Portal Administrator) in EM configuration.',
        detail,
      );
    }
    if (status === 404 && (logonUser !== undefined || path === this.base.pathname)) {
      return new EmError(
        'api-not-available',
        `the REST API is not at ${this.base.origin}${this.base.pathname} (HTTP 404).`,
        'Check the URL and port (9398), and that your Veeam edition includes the Enterprise Manager REST API.',
        detail,
      );
    }
    const transient = status === 502 || status === 503 || status === 504;
    return new EmError(
      'em-error',
      `${method} ${path} failed with HTTP ${status}.${said}`,
      transient ? 'The EM or a proxy is overloaded or restarting; it was retried.' : 'Check the EM logs.',
      { ...detail, transient },
    );
  }
}
