// The endpoints: which path and method does what, who may call it, and the status codes and headers the docs
// give. Handlers return a Reply; server.ts renders and sends it (or a fault instead).

import type { IncomingHttpHeaders } from 'node:http';
import { DAY } from '../duration.ts';
import { ENTITY_TYPES, type EntityType, isScheduleType } from '../em/model.ts';
import type { Clock } from './clock.ts';
import {
  API_VERSIONS,
  apiRootDocument,
  type Body,
  type EmptyAnswer,
  entityDocument,
  entityListDocument,
  errorDocument,
  logonSessionDocument,
  queryResultDocument,
  referencesDocument,
  sessionReferencesDocument,
} from './documents.ts';
import { HttpError } from './errors.ts';
import { pageOf, parseQueryRequest, type QueryRequest, select } from './query.ts';
import {
  backupServerRef,
  COLLECTIONS,
  type LinkRep,
  link,
  type Representation,
  represent,
} from './represent.ts';
import { findSchedule, representSchedule, selectSchedules } from './schedules.ts';
import type { LogonSessions, User } from './sessions.ts';
import type { Store } from './store.ts';
import type { Timings, View } from './timing.ts';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** An EM document, or raw text (what a proxy or a server without the REST API sends). */
  body?: Body | { contentType: string; text: string };
}

export interface Context {
  store: Store;
  clock: Clock;
  /** How late and how skewed each backup server's sessions show. */
  timings: Timings;
  /** How a query that matched nothing answers (settable at runtime). */
  emptyAnswer: EmptyAnswer;
  sessions: LogonSessions;
  /** The API base URL, ending in `/api/`. */
  base: string;
  maxPageSize: number;
  tls: boolean;
}

interface Request {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The logged-on user, on routes that need a token. */
  user?: User | undefined;
}

interface Route {
  pattern: RegExp;
  method: string;
  /** Whether a live logon token is required. */
  auth: boolean;
  handle(ctx: Context, request: Request, params: string[]): Reply;
}

export const TOKEN_HEADER = 'X-RestSvcSessionId';
export const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Basic Realm=RestSvc' };
const COLLECTION_DAYS = 30;
const GUID = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';
/** Task sessions listed under their parent session, and the filter field that links them. */
const CHILDREN = [
  { parent: 'ReplicaJobSession', type: 'ReplicaTaskSession', field: 'JobSessionUid' },
  { parent: 'CdpReplicaSession', type: 'CdpReplicaTaskSession', field: 'PolicySessionUid' },
] as const;

export const errorReply = (status: number, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: errorDocument(status, message),
  ...(headers && { headers }),
});

/** The caller's token: a cookie wins over the header, as on the real server (so stale cookies hurt). */
export function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const cookie = headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.toLowerCase().startsWith(`${TOKEN_HEADER.toLowerCase()}=`));
  if (cookie) return cookie.slice(TOKEN_HEADER.length + 1);
  const header = headers[TOKEN_HEADER.toLowerCase()];
  return Array.isArray(header) ? header[0] : header;
}

function logon(ctx: Context, { url, headers }: Request): Reply {
  const version = url.searchParams.get('v');
  if (version !== null && version !== 'latest' && !(API_VERSIONS as readonly string[]).includes(version))
    throw new HttpError(400, `API version ${version} is not supported`);
  const user = ctx.sessions.authenticate(headers.authorization);
  if (!user) return errorReply(401, 'Unauthorized: wrong user name or password', UNAUTHORIZED_HEADERS);
  if (user.role === 'no-access')
    return errorReply(403, `User ${user.username} has no Enterprise Manager role allowing the REST API`);
  const session = ctx.sessions.logon(user);
  const cookie = `${TOKEN_HEADER}=${session.token}; path=/; HttpOnly${ctx.tls ? '; Secure' : ''}`;
  return {
    status: 201,
    headers: { [TOKEN_HEADER]: session.token, 'Set-Cookie': cookie },
    body: logonSessionDocument(ctx.base, session.id, user.username),
  };
}

function logoff(ctx: Context, _request: Request, [id = '']: string[]): Reply {
  if (!ctx.sessions.logoff(id)) throw new HttpError(404, `Logon session ${id} was not found`);
  return { status: 204 };
}

/** What the EM shows now. */
const view = (ctx: Context): View => ctx.timings.viewAt(ctx.clock.now());

/** Veeam's "Security Roles" page lists jobs and CDP policies, queries included, as Portal Administrator only. */
function requireAdministrator(user: User | undefined, what: string): void {
  if (user?.role !== 'portal-administrator')
    throw new HttpError(403, `Access denied: ${what} needs the Portal Administrator role`);
}

function query(ctx: Context, { url, user }: Request): Reply {
  const request = parseQueryRequest(url.searchParams, ctx.maxPageSize);
  const { type } = request;
  if (!isScheduleType(type)) {
    const rows = select(ctx.store, type, view(ctx), request);
    return queryReply(ctx, request, rows, (row) => represent(type, row, ctx.base, ctx.store));
  }
  requireAdministrator(user, `query?type=${type}`);
  const rows = selectSchedules(ctx.store, type, ctx.clock.now(), request);
  return queryReply(ctx, request, rows, (row) => representSchedule(type, row, ctx.base));
}

/** A page of `rows`, each represented by `rep`, in the answer a query gets. */
function queryReply<T>(
  ctx: Context,
  request: QueryRequest,
  rows: readonly T[],
  rep: (row: T) => Representation,
): Reply {
  const page = pageOf(rows, request.pageSize, request.page);
  const empty = rows.length === 0 ? ctx.emptyAnswer : 'container';
  if (empty === 'pages-count-0' || empty === 'page-num-0') page.pagesCount = 0;
  if (empty === 'page-num-0') page.pageNum = 0;
  const reps = page.items.map(rep);
  const links = pagingLinks(ctx.base, request, page.pagesCount);
  return {
    status: 200,
    body: queryResultDocument({
      type: request.type,
      reps,
      references: request.references,
      paging: { ...page, links },
      bare: empty === 'bare-entities',
    }),
  };
}

/** First/Previous/Next/Last, re-encoding the filter the way the EM does (quotes as %22, `=;,` kept). */
function pagingLinks(base: string, request: QueryRequest, pagesCount: number): LinkRep[] {
  const href = (page: number) => {
    const params = [
      `type=${request.type}`,
      `format=${request.references ? 'References' : 'Entities'}`,
      ...(request.filter === undefined ? [] : [`filter=${encodeFilter(request.filter)}`]),
      ...(request.sort ? [`${request.sort.descending ? 'sortDesc' : 'sortAsc'}=${request.sort.field}`] : []),
      `pageSize=${request.pageSize}`,
      `page=${page}`,
    ];
    return `${base}query?${params.join('&')}`;
  };
  const page = request.page;
  return [
    link('First', null, href(1)),
    ...(page > 1 ? [link('Previous', null, href(Math.min(page - 1, pagesCount)))] : []),
    ...(page < pagesCount ? [link('Next', null, href(page + 1))] : []),
    link('Last', null, href(pagesCount)),
  ];
}

const encodeFilter = (filter: string): string =>
  encodeURIComponent(filter).replace(/%3D|%3B|%2C/gi, (c) => decodeURIComponent(c));

/** Wants `?format=Entity` rather than references. */
const entityFormat = (url: URL): boolean => url.searchParams.get('format')?.toLowerCase() === 'entity';

const since = (ctx: Context): string =>
  new Date(Date.parse(ctx.clock.now()) - COLLECTION_DAYS * DAY).toISOString();

function list(ctx: Context, type: EntityType, url: URL, filter?: string): Reply {
  const rows = select(ctx.store, type, view(ctx), { filter, since: since(ctx) });
  const reps = rows.map((row) => represent(type, row, ctx.base, ctx.store));
  return {
    status: 200,
    body: entityFormat(url) ? entityListDocument(type, reps) : sessionReferencesDocument(reps),
  };
}

/** The session with this GUID as the EM shows it now, or a 404. */
function find<K extends EntityType>(ctx: Context, type: K, guid: string) {
  const row = ctx.store.tables[type].get(`urn:veeam:${type}:${guid}`);
  const visible = row && view(ctx).show(type, row);
  if (!visible) throw new HttpError(404, `${type} ${guid} was not found`);
  return visible;
}

function collectionRoutes(): Route[] {
  return ENTITY_TYPES.flatMap((type): Route[] => [
    {
      pattern: new RegExp(`^/api/${COLLECTIONS[type]}/?$`),
      method: 'GET',
      auth: true,
      handle: (ctx, r) => list(ctx, type, r.url),
    },
    {
      pattern: new RegExp(`^/api/${COLLECTIONS[type]}/${GUID}/?$`),
      method: 'GET',
      auth: true,
      handle: (ctx, _r, [guid = '']) => ({
        status: 200,
        body: entityDocument(represent(type, find(ctx, type, guid), ctx.base, ctx.store)),
      }),
    },
  ]);
}

function childRoutes(): Route[] {
  return CHILDREN.map(({ parent, type, field }) => ({
    pattern: new RegExp(`^/api/${COLLECTIONS[parent]}/${GUID}/${COLLECTIONS[type]}/?$`),
    method: 'GET',
    auth: true,
    handle: (ctx, { url }, [guid = '']) => {
      const uid = find(ctx, parent, guid).uid;
      return list(ctx, type, url, `${field}=="${uid.replaceAll('"', '""')}"`);
    },
  }));
}

const ROUTES: Route[] = [
  {
    pattern: /^\/api\/?$/,
    method: 'GET',
    auth: false,
    handle: (ctx) => ({ status: 200, body: apiRootDocument(ctx.base) }),
  },
  { pattern: /^\/api\/sessionMngr\/?$/, method: 'POST', auth: false, handle: logon },
  { pattern: new RegExp(`^/api/logonSessions/${GUID}/?$`), method: 'DELETE', auth: true, handle: logoff },
  { pattern: /^\/api\/query\/?$/, method: 'GET', auth: true, handle: query },
  {
    pattern: /^\/api\/backupServers\/?$/,
    method: 'GET',
    auth: true,
    handle: (ctx) => ({
      status: 200,
      body: referencesDocument(ctx.store.backupServers().map((s) => backupServerRef(s, ctx.base))),
    }),
  },
  {
    pattern: new RegExp(`^/api/cdpPolicies/${GUID}/?$`),
    method: 'GET',
    auth: true,
    handle: (ctx, { user }, [guid = '']) => {
      requireAdministrator(user, 'a CDP policy');
      const row = findSchedule(ctx.store, 'CdpPolicy', guid, ctx.clock.now());
      if (!row) throw new HttpError(404, `CdpPolicy ${guid} was not found`);
      return { status: 200, body: entityDocument(representSchedule('CdpPolicy', row, ctx.base)) };
    },
  },
  ...collectionRoutes(),
  ...childRoutes(),
];

/** Answers one request: 404 for unknown paths, 405 for a wrong method, 401 without a live token. */
export function route(ctx: Context, request: Request): Reply {
  const candidates = ROUTES.map((r) => ({ r, params: r.pattern.exec(request.url.pathname) })).filter(
    (c) => c.params,
  );
  if (candidates.length === 0) throw new HttpError(404, `No resource at ${request.url.pathname}`);
  const found = candidates.find((c) => c.r.method === request.method);
  if (!found?.params) {
    const allow = candidates.map((c) => c.r.method).join(', ');
    return errorReply(405, `Method ${request.method} is not allowed here (allowed: ${allow})`, {
      Allow: allow,
    });
  }
  const session = found.r.auth ? ctx.sessions.use(tokenOf(request.headers)) : undefined;
  if (found.r.auth && !session)
    return errorReply(401, 'Unauthorized: no valid logon session', UNAUTHORIZED_HEADERS);
  return found.r.handle(ctx, { ...request, user: session?.user }, found.params.slice(1));
}
