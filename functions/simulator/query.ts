// The query service: `GET /api/query?type=&format=&filter=&sortAsc|sortDesc=&pageSize=&page=`, and the row
// selection shared with the plain collections. Rows are what the EM shows at the simulated time.

import {
  ENTITY_TYPES,
  type EntityType,
  type EntityTypes,
  type QueryType,
  SCHEDULE_TYPES,
} from '../em/model.ts';
import { HttpError } from './errors.ts';
import {
  type Comparable,
  compileFilter,
  type Field,
  type FieldSet,
  FilterError,
  type FilterNode,
  fieldOf,
  parseFilter,
} from './filter.ts';
import { byOrder, type Entry, type Store, type Table } from './store.ts';
import type { View } from './timing.ts';

export interface Sort {
  field: string;
  descending: boolean;
}

export interface QueryRequest {
  type: QueryType;
  /** `format=References` (the default) rather than `Entities`. */
  references: boolean;
  filter: string | undefined;
  sort: Sort | undefined;
  pageSize: number;
  page: number;
}

export const DEFAULT_PAGE_SIZE = 100;

/** Reads the query parameters; `maxPageSize` caps the page size the way a server-side limit would. */
export function parseQueryRequest(params: URLSearchParams, maxPageSize: number): QueryRequest {
  const typeName = params.get('type') ?? fail('The type parameter is required');
  const types: QueryType[] = [...ENTITY_TYPES, ...SCHEDULE_TYPES];
  const type =
    types.find((t) => t.toLowerCase() === typeName.toLowerCase()) ??
    fail(`Query type ${JSON.stringify(typeName)} is not supported (supported: ${types.join(', ')})`);
  const format = (params.get('format') ?? 'References').toLowerCase();
  if (format !== 'references' && format !== 'entities')
    fail(`Unknown format ${JSON.stringify(params.get('format'))}: expected Entities or References`);
  const sortAsc = params.get('sortAsc');
  const sortDesc = params.get('sortDesc');
  if (sortAsc !== null && sortDesc !== null) fail('Only one of sortAsc and sortDesc may be given');
  const sortField = sortAsc ?? sortDesc;
  return {
    type,
    references: format === 'references',
    filter: params.get('filter') || undefined,
    sort: sortField === null ? undefined : { field: sortField, descending: sortDesc !== null },
    pageSize: Math.min(positiveInteger(params, 'pageSize') ?? DEFAULT_PAGE_SIZE, maxPageSize),
    page: positiveInteger(params, 'page') ?? 1,
  };
}

function positiveInteger(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const value = Number(text);
  return /^\d+$/.test(text) && value >= 1 ? value : fail(`${name} must be a positive integer, got ${text}`);
}

function fail(message: string): never {
  throw new HttpError(400, message);
}

export interface Selection {
  filter?: string | undefined;
  sort?: Sort | undefined;
  /** Only rows created at or after this time (the plain collections' 30-day window). */
  since?: string | undefined;
}

/** The rows of `type` the view shows that match (on the times shown), in scrambled order unless sorted. */
export function select<K extends EntityType>(
  store: Store,
  type: K,
  view: View,
  { filter, sort, since }: Selection,
): EntityTypes[K][] {
  const table = store.tables[type] as Table<EntityTypes[K]>;
  const fields = store.fields[type] as FieldSet<EntityTypes[K]>;
  return selectFrom(fields, { filter, sort }, (node, test) => {
    const rows: EntityTypes[K][] = [];
    for (const entry of (node && candidates(node, table)) ?? table.all()) {
      const row = view.show(type, entry.row);
      if (row && (since === undefined || row.creationTime >= since) && test(row)) rows.push(row);
    }
    return rows;
  });
}

/**
 * The rows `source` gives, sorted; `source` gets the parsed filter (to narrow by an index) and the test every row
 * must pass. A filter that does not parse or does not fit the fields is a 400.
 */
export function selectFrom<T>(
  fields: FieldSet<T>,
  { filter, sort }: Selection,
  source: (node: FilterNode | undefined, test: (row: T) => boolean) => T[],
): T[] {
  try {
    const node = filter === undefined ? undefined : parseFilter(filter);
    const test = node ? compileFilter(node, fields) : () => true;
    const sortField = sort && fieldOf(fields, sort.field);
    const rows = source(node, test);
    return sortField ? sortBy(rows, sortField, sort.descending) : rows;
  } catch (error) {
    if (error instanceof FilterError) fail(error.message);
    throw error;
  }
}

/**
 * The entries an index narrows a filter to: an `==` on an indexed field, an OR of such terms, or an AND with one
 * such conjunct; undefined when a full scan is needed. The full filter is still applied to every candidate.
 */
function candidates<T extends EntityTypes[EntityType]>(
  node: FilterNode,
  table: Table<T>,
): Entry<T>[] | undefined {
  if (node.kind === 'compare') {
    const found = node.op === '==' ? table.lookup(node.field, node.value) : undefined;
    return found && [...found];
  }
  const parts = node.items.map((item) => candidates(item, table));
  if (node.kind === 'and') {
    const narrowed = parts.filter((p) => p !== undefined);
    return narrowed.length ? narrowed.reduce((a, b) => (a.length <= b.length ? a : b)) : undefined;
  }
  if (parts.some((p) => p === undefined)) return undefined;
  return [...new Set(parts.flatMap((p) => p ?? []))].sort(byOrder);
}

/** Sorts stably on the field; a missing value sorts lowest, as in SQL Server. */
function sortBy<T>(rows: T[], field: Field<T>, descending: boolean): T[] {
  const keyed = rows.map((row) => ({ row, key: field.kind.key(field.get(row)) }));
  const direction = descending ? -1 : 1;
  keyed.sort((a, b) => direction * compareKeys(a.key, b.key));
  return keyed.map((k) => k.row);
}

function compareKeys(a: Comparable | null, b: Comparable | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

export interface Page<T> {
  items: T[];
  pageNum: number;
  pageSize: number;
  pagesCount: number;
}

/** One page of rows; pages are 1-based and there is always at least one, possibly empty. */
export function pageOf<T>(rows: readonly T[], pageSize: number, pageNum: number): Page<T> {
  const start = (pageNum - 1) * pageSize;
  return {
    items: rows.slice(start, start + pageSize),
    pageNum,
    pageSize,
    pagesCount: Math.max(1, Math.ceil(rows.length / pageSize)),
  };
}
