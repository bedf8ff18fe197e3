// The EM query service's filter language: a parser to an AST and an evaluator compiled once per query.
//
// Grammar (em-rest-api.md), with whitespace allowed between tokens:
//   or         := and (',' and)*
//   and        := term (';' term)*
//   term       := '(' or ')' | comparison
//   comparison := field ('==' | '!=' | '<' | '>' | '<=' | '>=') value
//   value      := '"' chars, with '""' for a quote '"' | bare run of chars other than space ; , ( ) " < > = !
// The precedence of `;` versus `,` is undocumented; here `;` (AND) binds tighter than `,` (OR), as in most
// languages. Clients must parenthesise, and a client that relies on either precedence is not caught here.
// The filter arrives already URL-decoded once by the query-string parser.
//
// Value semantics, chosen where the docs are silent: text compares case-insensitively for every operator
// (Windows-style names); times compare as instants; enums by their position in the documented list; booleans
// as false < true; a field with no value (EndTime of a running session) satisfies only `!=`.

import { parseEmTime } from '../em/time.ts';

export type Operator = '==' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'compare'; field: string; op: Operator; value: string };

/** A filter that does not parse or does not fit the type's fields: the EM answers 400. */
export class FilterError extends Error {
  override name = 'FilterError';
}

const FIELD_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /==|!=|<=|>=|<|>/y;
const QUOTED = /"((?:[^"]|"")*)"/y;
const BARE = /[^\s;,()"<>=!]+/y;
const SPACE = /\s*/y;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): FilterNode {
    const node = this.or();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}`);
    return node;
  }

  private or(): FilterNode {
    return this.list('or', ',', () => this.and());
  }

  private and(): FilterNode {
    return this.list('and', ';', () => this.term());
  }

  private list(kind: 'and' | 'or', separator: string, item: () => FilterNode): FilterNode {
    const items = [item()];
    while (this.eat(separator)) items.push(item());
    const [first] = items;
    return items.length === 1 && first ? first : { kind, items };
  }

  private term(): FilterNode {
    if (!this.eat('(')) return this.comparison();
    const node = this.or();
    if (!this.eat(')')) this.fail('expected ")"');
    return node;
  }

  private comparison(): FilterNode {
    const field = this.match(FIELD_NAME) ?? this.fail('expected a field name');
    const op =
      (this.match(OPERATOR) as Operator | undefined) ?? this.fail(`expected an operator after ${field}`);
    const quoted = this.match(QUOTED);
    if (quoted !== undefined)
      return { kind: 'compare', field, op, value: quoted.slice(1, -1).replaceAll('""', '"') };
    if (this.peek() === '"') this.fail('unterminated quoted value');
    const value = this.match(BARE) ?? this.fail(`expected a value after ${field}${op}`);
    return { kind: 'compare', field, op, value };
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  private match(pattern: RegExp): string | undefined {
    this.skipSpace();
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text)?.[0];
    if (found) this.pos += found.length;
    return found || undefined;
  }

  private skipSpace(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    this.pos = SPACE.lastIndex;
  }

  private fail(problem: string): never {
    throw new FilterError(`${problem} at character ${this.pos + 1} of the filter`);
  }
}

export function parseFilter(text: string): FilterNode {
  return new Parser(text).parse();
}

export type RawValue = string | number | boolean | null;
export type Comparable = string | number;

/** How a field's values compare: filter text and row values both map to one comparable form. */
export interface FieldKind {
  /** What a filter value must look like, for error messages. */
  readonly expects: string;
  /** The comparable form of a filter value, or undefined when it is not one. */
  parse(text: string): Comparable | undefined;
  /** The comparable form of a row value; null when there is none. */
  key(value: RawValue): Comparable | null;
}

export const TEXT: FieldKind = {
  expects: 'text',
  parse: (text) => text.toLowerCase(),
  key: (value) => (value === null ? null : String(value).toLowerCase()),
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Instants compare as strings in one form with 7 fractional digits (the EM's 100 ns resolution), so a filter
 * time finer than the model's milliseconds still compares exactly. Model times are normalised ISO strings.
 */
function filterTime(text: string): string | undefined {
  const full = DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text;
  const iso = parseEmTime(full);
  if (iso === null) return undefined;
  const subMs = (/\.(\d+)/.exec(full)?.[1] ?? '').padEnd(7, '0').slice(3, 7);
  return `${iso.slice(0, 23)}${subMs}Z`;
}

export const TIME: FieldKind = {
  expects: 'a UTC time such as "2025-08-15T06:00:00Z"',
  parse: filterTime,
  key: (value) => (typeof value === 'string' ? `${value.slice(0, 23)}0000Z` : null),
};

export const NUMBER: FieldKind = {
  expects: 'a number',
  parse: (text) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined),
  key: (value) => (typeof value === 'number' ? value : null),
};

const BOOLEANS = new Map([
  ['false', 0],
  ['true', 1],
]);

export const BOOLEAN: FieldKind = {
  expects: 'true or false',
  parse: (text) => BOOLEANS.get(text.toLowerCase()),
  key: (value) => (typeof value === 'boolean' ? Number(value) : null),
};

/** An enum compared by position; a row value outside the list (an unknown state) has no position. */
export function enumKind(members: readonly string[]): FieldKind {
  const position = new Map(members.map((m, i) => [m.toLowerCase(), i]));
  return {
    expects: `one of ${members.join(', ')}`,
    parse: (text) => position.get(text.toLowerCase()),
    key: (value) => (typeof value === 'string' ? (position.get(value.toLowerCase()) ?? null) : null),
  };
}

export interface Field<T> {
  readonly name: string;
  readonly kind: FieldKind;
  get(row: T): RawValue;
}

/** The filterable fields of one entity type. */
export interface FieldSet<T> {
  readonly type: string;
  readonly fields: readonly Field<T>[];
}

/** Finds a field by name, case-insensitively. */
export function fieldOf<T>(set: FieldSet<T>, name: string): Field<T> {
  const wanted = name.toLowerCase();
  const field = set.fields.find((f) => f.name.toLowerCase() === wanted);
  if (field) return field;
  const known = set.fields.map((f) => f.name).join(', ');
  throw new FilterError(`${set.type} has no field ${JSON.stringify(name)} (fields: ${known})`);
}

const TESTS: Record<Operator, (a: Comparable, b: Comparable) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
};

/** Compiles a filter to a predicate once, so rows are tested without re-parsing or re-resolving fields. */
export function compileFilter<T>(node: FilterNode, set: FieldSet<T>): (row: T) => boolean {
  if (node.kind !== 'compare') {
    const parts = node.items.map((item) => compileFilter(item, set));
    return node.kind === 'and' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
  }
  const field = fieldOf(set, node.field);
  const value = field.kind.parse(node.value);
  if (value === undefined) {
    throw new FilterError(
      `${JSON.stringify(node.value)} is not a valid ${field.name} value: expected ${field.kind.expects}`,
    );
  }
  const test = TESTS[node.op];
  const absent = node.op === '!=';
  return (row) => {
    const key = field.kind.key(field.get(row));
    return key === null ? absent : test(key, value);
  };
}
