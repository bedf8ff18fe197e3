// Maps raw records (from `wire.ts`) to the normalised model, and reads the documents the client asks for:
// query pages, entity collections, the logon session and `Error` bodies. Parsing is by container, never by child
// element name (CDP query results name their children `CdpPolicySession`). Unknown enum values are kept.

import { EmParseError } from './errors.ts';
import type {
  CdpReplicaSession,
  CdpReplicaTaskSession,
  EntityType,
  EntityTypes,
  ReplicaJobSession,
  ReplicaTaskSession,
  WireFormat,
} from './model.ts';
import { parseEmTime } from './time.ts';
import { isRaw, type Link, links, list, parseBody, type Raw, xmlRoot } from './wire.ts';

/** One page of a query, as `PagingInfo` describes it. */
export interface Page<T> {
  items: T[];
  pageNum: number;
  pageSize: number;
  pagesCount: number;
}

/** Far above a URN's ~70 characters, far below what would break a key. */
export const MAX_UID_CHARS = 256;

/** Reads typed fields of one record, naming the entity and field in every error. */
class Fields {
  constructor(
    private readonly record: Raw,
    private readonly what: string,
    private readonly body: string,
  ) {}

  private fail(field: string, problem: string): never {
    const id = this.record.UID ?? this.record.Name;
    throw new EmParseError(
      `${this.what}${typeof id === 'string' ? ` ${id.slice(0, 100)}` : ''}`,
      `${field} ${problem}`,
      this.body,
    );
  }

  optional(field: string): string | null {
    const value = this.record[field];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return this.fail(field, 'is not text');
  }

  required(field: string): string {
    return this.optional(field) ?? this.fail(field, 'is missing');
  }

  /** A UID (`urn:veeam:Job:<guid>`): bounded, as it becomes part of DynamoDB keys (sort keys hold 1,024 bytes). */
  uid(field: string): string {
    const value = this.required(field);
    return value.length <= MAX_UID_CHARS
      ? value
      : this.fail(field, `is ${value.length} characters, not a UID`);
  }

  time(field: string): string {
    return this.optionalTime(field) ?? this.fail(field, 'is missing');
  }

  optionalTime(field: string): string | null {
    const text = this.optional(field);
    if (text === null) return null;
    return parseEmTime(text) ?? this.fail(field, `is not a time (${JSON.stringify(text.slice(0, 40))})`);
  }

  number(field: string): number | null {
    const text = this.optional(field);
    if (text === null) return null;
    const value = Number(text);
    return Number.isFinite(value)
      ? value
      : this.fail(field, `is not a number (${JSON.stringify(text.slice(0, 40))})`);
  }

  boolean(field: string): boolean {
    const text = this.optional(field)?.toLowerCase();
    if (text === undefined || text === 'false') return false;
    return text === 'true'
      ? true
      : this.fail(field, `is not true or false (${JSON.stringify(text.slice(0, 40))})`);
  }
}

/** A backup server's UID spelt one way (GUID lower-cased), so sessions and the server list compare equal. */
const backupServerUid = (guid: string): string => `urn:veeam:BackupServer:${guid.toLowerCase()}`;

/** `urn:veeam:BackupServer:<guid>` and name, from the `BackupServerReference` link. */
export function backupServer(record: Raw): {
  backupServerUid: string | null;
  backupServerName: string | null;
} {
  const link = links(record).find((l: Link) => l.type === 'BackupServerReference');
  const guid = link?.href.match(/\/backupServers\/([0-9a-f-]{36})/i)?.[1];
  return {
    backupServerUid: guid ? backupServerUid(guid) : null,
    backupServerName: link?.name ?? null,
  };
}

type Mapper<T> = (record: Raw, body: string) => T;

/** The fields every session and task session has, whatever its type. */
function common(f: Fields, record: Raw) {
  return {
    uid: f.uid('UID'),
    name: f.optional('Name') ?? '',
    ...backupServer(record),
    creationTime: f.time('CreationTimeUTC'),
    endTime: f.optionalTime('EndTimeUTC'),
    state: f.required('State'),
    result: f.optional('Result') ?? 'None',
  };
}

/** Job and policy sessions also have a progress, a retry flag and a failure message. */
function session(f: Fields, record: Raw) {
  return {
    ...common(f, record),
    progress: f.number('Progress'),
    isRetry: f.boolean('IsRetry'),
    failureMessage: f.optional('FailureMessage'),
  };
}

/** Task sessions are one VM each, with Veeam's reason for its result. */
function task(f: Fields, record: Raw) {
  return {
    ...common(f, record),
    vmDisplayName: f.optional('VmDisplayName') ?? '',
    reason: f.optional('Reason'),
    totalSize: f.number('TotalSize'),
  };
}

const replicaJobSession: Mapper<ReplicaJobSession> = (record, body) => {
  const f = new Fields(record, 'ReplicaJobSession', body);
  const jobType = f.optional('JobType') ?? '';
  return {
    ...session(f, record),
    jobUid: f.uid('JobUid'),
    jobName: f.optional('JobName') ?? '',
    jobType,
  };
};

const replicaTaskSession: Mapper<ReplicaTaskSession> = (record, body) => {
  const f = new Fields(record, 'ReplicaTaskSession', body);
  return { ...task(f, record), jobSessionUid: f.uid('JobSessionUid') };
};

const cdpReplicaSession: Mapper<CdpReplicaSession> = (record, body) => {
  const f = new Fields(record, 'CdpReplicaSession', body);
  return {
    ...session(f, record),
    policyUid: f.uid('PolicyUid'),
    policyName: f.optional('PolicyName') ?? '',
  };
};

const cdpReplicaTaskSession: Mapper<CdpReplicaTaskSession> = (record, body) => {
  const f = new Fields(record, 'CdpReplicaTaskSession', body);
  return { ...task(f, record), policySessionUid: f.uid('PolicySessionUid') };
};

export const MAPPERS: { [K in EntityType]: Mapper<EntityTypes[K]> } = {
  ReplicaJobSession: replicaJobSession,
  ReplicaTaskSession: replicaTaskSession,
  CdpReplicaSession: cdpReplicaSession,
  CdpReplicaTaskSession: cdpReplicaTaskSession,
};

/** The container element/property holding a type's entities (`ReplicaJobSessions`, `Jobs`, `CdpPolicies`). */
export const containerOf = (type: string): string =>
  type.endsWith('y') ? `${type.slice(0, -1)}ies` : `${type}s`;

/** Reads a `QueryResult` page of raw records for `type` (any entity type, so it also reads other EM types). */
export function parseQueryRecords(type: string, body: string, format: WireFormat): Page<Raw> {
  const expected = `a ${type} query result`;
  const doc = parseBody(body, format, expected);
  const root = format === 'xml' ? xmlRoot(doc, ['QueryResult'], expected, body) : doc;
  const items = list(queryRows(type, root, expected, body), expected, body);
  return { items, ...pagingInfo(root, items.length > 0, expected, body) };
}

/** The raw list of a type's rows in a `QueryResult`; undefined when its Entities are empty. */
function queryRows(type: string, root: Raw, expected: string, body: string): unknown {
  if (!('Entities' in root))
    throw new EmParseError(expected, 'it has no Entities (was format=Entities sent?)', body);
  const entities = root.Entities;
  // No published sample shows an empty result: `<Entities />` (XML: "" or {}), JSON `{}` or null are read as one.
  if (isBlank(entities)) {
    if (holdsRefs(root.Refs)) throw new EmParseError(expected, 'it holds References, not Entities', body);
    return undefined;
  }
  // Entities of other types without ours are another answer, and reading them as "no sessions" would silence
  // every alert. An empty container of ours is an empty result (an empty element in XML, null in JSON).
  if (!isRaw(entities) || !(containerOf(type) in entities))
    throw new EmParseError(expected, `its Entities have no ${containerOf(type)}`, body);
  const container = entities[containerOf(type)];
  // XML: the container's only child list, whatever its element name; JSON: `{X: {X: [...]}}`, or null when empty.
  return isRaw(container) ? Object.values(container).find(Array.isArray) : container;
}

/** Absent, null, an empty XML element (parsed to blank text) or an empty object. */
const isBlank = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && value.trim() === '') ||
  (isRaw(value) && Object.keys(value).length === 0);

/** Whether a `Refs` list (`{Refs: [...]}` or XML `<Refs><Ref/>…`) holds rows: a References answer. */
function holdsRefs(refs: unknown): boolean {
  const rows = isRaw(refs) ? Object.values(refs).find(Array.isArray) : refs;
  return Array.isArray(rows) && rows.length > 0;
}

/** Reads `PagingInfo`, which an answer without rows may leave out (then it is an empty result). */
function pagingInfo(
  root: Raw,
  hasRows: boolean,
  expected: string,
  body: string,
): Omit<Page<unknown>, 'items'> {
  const info = root.PagingInfo;
  if (isBlank(info) && !hasRows) return { pageNum: 0, pageSize: 0, pagesCount: 0 };
  if (!isRaw(info)) throw new EmParseError(expected, 'it has no PagingInfo', body);
  const read = (name: string) => {
    const value = Number(info[name]);
    if (!Number.isInteger(value) || value < 0)
      throw new EmParseError(expected, `PagingInfo.${name} is invalid`, body);
    return value;
  };
  return { pageNum: read('PageNum'), pageSize: read('PageSize'), pagesCount: read('PagesCount') };
}

/** No rows and no page named (PagesCount 0, PageNum 0, or no PagingInfo): an empty result, nothing to page. */
export const isEmptyResult = (page: Page<unknown>): boolean =>
  page.items.length === 0 && (page.pageNum === 0 || page.pagesCount === 0);

/** Reads one query page and maps it to the model. */
export function parseQueryPage<K extends EntityType>(
  type: K,
  body: string,
  format: WireFormat,
): Page<EntityTypes[K]> {
  const page = parseQueryRecords(type, body, format);
  return { ...page, items: page.items.map((record) => MAPPERS[type](record, body)) };
}

/** Reads a `?format=Entity` collection such as `/replicaSessions/{id}/replicaTaskSessions`. */
export function parseEntityList<K extends EntityType>(
  type: K,
  body: string,
  format: WireFormat,
): EntityTypes[K][] {
  const expected = `a ${containerOf(type)} list`;
  const doc = parseBody(body, format, expected);
  const root = format === 'xml' ? xmlRoot(doc, [containerOf(type)], expected, body) : doc;
  const items = format === 'xml' ? Object.values(root).find(Array.isArray) : root[containerOf(type)];
  return list(items, expected, body).map((record) => MAPPERS[type](record, body));
}

/** Reads one `?format=Entity` object such as `/replicaSessions/{id}`. */
export function parseEntity<K extends EntityType>(type: K, body: string, format: WireFormat): EntityTypes[K] {
  const expected = `a ${type}`;
  const doc = parseBody(body, format, expected);
  const root = format === 'xml' ? xmlRoot(doc, [type], expected, body) : doc;
  return MAPPERS[type](root, body);
}

/** Reads a `References` collection (`EntityReferences` in XML, `{Refs: [...]}` in JSON). */
export function parseReferences(
  body: string,
  format: WireFormat,
): { uid: string; name: string; href: string }[] {
  const expected = 'an entity reference list';
  const doc = parseBody(body, format, expected);
  const items = format === 'xml' ? xmlRoot(doc, ['EntityReferences'], expected, body).Ref : doc.Refs;
  return list(items, expected, body).map((record) => {
    const f = new Fields(record, 'Ref', body);
    return { uid: f.uid('UID'), name: f.optional('Name') ?? '', href: f.required('Href') };
  });
}

/** Reads `GET /api/backupServers` (References): each server's UID, spelt as sessions carry it, and name. */
export function parseBackupServers(body: string, format: WireFormat): { uid: string; name: string }[] {
  return parseReferences(body, format).map(({ uid, name }) => {
    const guid = uid.match(/^urn:veeam:BackupServer:([0-9a-f-]{36})$/i)?.[1];
    if (!guid)
      throw new EmParseError('a backup server list', `${uid.slice(0, 100)} is not a BackupServer UID`, body);
    return { uid: backupServerUid(guid), name };
  });
}

/** Reads the `LogonSession` answered by a logon: its `SessionId` is what logoff deletes. */
export function parseLogonSession(
  body: string,
  format: WireFormat,
): { sessionId: string; userName: string | null } {
  const expected = 'a LogonSession';
  const doc = parseBody(body, format, expected);
  const root = format === 'xml' ? xmlRoot(doc, ['LogonSession'], expected, body) : doc;
  const f = new Fields(root, 'LogonSession', body);
  const sessionId = f.required('SessionId');
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) throw new EmParseError(expected, 'SessionId is not a GUID', body);
  return { sessionId, userName: f.optional('UserName') };
}

/** The EM's own `Message` from an `Error` body in either format, or null when the body is not one. */
export function parseEmErrorMessage(body: string): string | null {
  try {
    const isJson = /^\s*[{[]/.test(body.replace(/^\uFEFF/, ''));
    const doc = parseBody(body, isJson ? 'json' : 'xml', 'an Error');
    const root = isJson ? doc : doc.Error;
    return isRaw(root) && typeof root.Message === 'string' && root.Message ? root.Message : null;
  } catch {
    return null;
  }
}

/** The API versions the EM supports, from `GET /api/` (`EnterpriseManager` in XML; the same names in JSON). */
export function parseApiVersions(body: string, format: WireFormat): string[] {
  const expected = 'the EnterpriseManager API root';
  const doc = parseBody(body, format, expected);
  const root = format === 'xml' ? xmlRoot(doc, ['EnterpriseManager'], expected, body) : doc;
  const supported = root.SupportedVersions;
  // XML repeats <SupportedVersion>; JSON double-wraps its collections ({"SupportedVersions":{"SupportedVersions":[…]}}).
  const items = isRaw(supported)
    ? (supported.SupportedVersion ?? Object.values(supported).find(Array.isArray))
    : supported;
  return (Array.isArray(items) ? items : [items]).filter(isRaw).map((v) => String(v.Name ?? ''));
}
