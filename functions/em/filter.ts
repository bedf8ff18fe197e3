// A builder for the EM query service's filter syntax, so no caller concatenates user data into a filter.
// Grammar (em-rest-api.md): comparisons `== != < > <= >=`, `;` is AND, `,` is OR, parentheses group. The
// precedence of `;` versus `,` is undocumented, so every compound operand is parenthesised. Strings are always
// quoted with inner quotes doubled; dates are UTC in the documented `"yyyy-mm-ddThh:mm:ssZ"` form. The whole
// filter is URL-encoded by the client when it builds the query string.

import { formatFilterTime } from './time.ts';

export type Operator = '==' | '!=' | '<' | '>' | '<=' | '>=';

/** An enum member such as `Failed` or `Stopped`: written bare, as the EM's own examples do. */
export interface EnumValue {
  readonly enumMember: string;
}
export type FilterValue = string | number | boolean | Date | EnumValue;

export interface Filter {
  readonly compound: boolean;
  toString(): string;
}

const FIELD = /^[A-Za-z][A-Za-z0-9]*$/;

function literal(value: FilterValue): string {
  if (typeof value === 'string') return `"${value.replaceAll('"', '""')}"`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`Filter number must be finite, got ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return `"${formatFilterTime(value)}"`;
  if (!FIELD.test(value.enumMember))
    throw new RangeError(`Not an enum member name: ${JSON.stringify(value.enumMember)}`);
  return value.enumMember;
}

/** `field op value`. The field must be a plain identifier: field names never come from user data. */
export function compare(field: string, op: Operator, value: FilterValue): Filter {
  if (!FIELD.test(field)) throw new RangeError(`Not a filter field name: ${JSON.stringify(field)}`);
  const text = `${field}${op}${literal(value)}`;
  return { compound: false, toString: () => text };
}

function join(separator: ';' | ',', filters: readonly Filter[]): Filter {
  if (filters.length === 0) throw new RangeError('A filter group needs at least one condition');
  const [only] = filters;
  if (filters.length === 1 && only) return only;
  const text = filters.map((f) => (f.compound ? `(${f})` : String(f))).join(separator);
  return { compound: true, toString: () => text };
}

export const and = (...filters: Filter[]): Filter => join(';', filters);
export const or = (...filters: Filter[]): Filter => join(',', filters);
export const eq = (field: string, value: FilterValue): Filter => compare(field, '==', value);
/** Rows whose `field` equals one of `values`. */
export const anyOf = (field: string, values: readonly FilterValue[]): Filter =>
  or(...values.map((value) => eq(field, value)));
export const enumMember = (name: string): EnumValue => ({ enumMember: name });
