import { describe, expect, it } from 'vitest';
import {
  BOOLEAN,
  compileFilter,
  enumKind,
  type FieldSet,
  FilterError,
  NUMBER,
  parseFilter,
  TEXT,
  TIME,
} from '../../functions/simulator/filter.ts';

/** Parsing or compiling `filter` fails with a FilterError that says `message`. */
function expectRefused(filter: () => unknown, message: string): void {
  expect(filter).toThrow(FilterError);
  expect(filter).toThrow(message);
}

describe('filter parser', () => {
  it('gives ; (AND) higher precedence than , (OR), and parentheses override it', () => {
    expect(parseFilter('A==1;B==2,C==3')).toEqual({
      kind: 'or',
      items: [
        {
          kind: 'and',
          items: [
            { kind: 'compare', field: 'A', op: '==', value: '1' },
            { kind: 'compare', field: 'B', op: '==', value: '2' },
          ],
        },
        { kind: 'compare', field: 'C', op: '==', value: '3' },
      ],
    });
    expect(parseFilter(' A == 1 ; ( B==2 , C==3 ) ')).toEqual({
      kind: 'and',
      items: [
        { kind: 'compare', field: 'A', op: '==', value: '1' },
        {
          kind: 'or',
          items: [
            { kind: 'compare', field: 'B', op: '==', value: '2' },
            { kind: 'compare', field: 'C', op: '==', value: '3' },
          ],
        },
      ],
    });
  });

  it.each(['==', '!=', '<', '>', '<=', '>='])('reads the operator %s', (op) => {
    expect(parseFilter(`TotalSize${op}5`)).toEqual({ kind: 'compare', field: 'TotalSize', op, value: '5' });
  });

  it.each([
    ['"a ""b"" c"', 'a "b" c'],
    ['"x;y,z(1)&a=b<c>!"', 'x;y,z(1)&a=b<c>!'],
    ['"Büro ""Nord"" Replica"', 'Büro "Nord" Replica'],
    ['""', ''],
    [
      'urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b',
      'urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b',
    ],
    ['2025-02-18T14:16:31', '2025-02-18T14:16:31'],
  ])('reads the value %s', (text, value) => {
    expect(parseFilter(`Name==${text}`)).toMatchObject({ value });
  });

  it.each([
    ['', 'expected a field name at character 1'],
    ['Name', 'expected an operator after Name'],
    ['Name=', 'expected an operator after Name'],
    ['Name==', 'expected a value after Name=='],
    ['Name===x', 'expected a value after Name=='],
    ['Name=="abc', 'unterminated quoted value'],
    ['Name==a b', 'unexpected "b" at character 9'],
    ['(Name==a', 'expected ")"'],
    ['Name==a)', 'unexpected ")"'],
    ['Name==a;', 'expected a field name'],
    ['Name==a,,Name==b', 'expected a field name'],
    ['==a', 'expected a field name'],
  ])('refuses %j', (text, message) => expectRefused(() => parseFilter(text), message));
});

interface Row {
  name: string;
  size: number | null;
  at: string | null;
  result: string;
  retry: boolean;
}

const FIELDS: FieldSet<Row> = {
  type: 'Row',
  fields: [
    { name: 'Name', kind: TEXT, get: (r) => r.name },
    { name: 'TotalSize', kind: NUMBER, get: (r) => r.size },
    { name: 'EndTime', kind: TIME, get: (r) => r.at },
    { name: 'Result', kind: enumKind(['None', 'Success', 'Warning', 'Failed']), get: (r) => r.result },
    { name: 'IsRetry', kind: BOOLEAN, get: (r) => r.retry },
  ],
};

const ROWS: Row[] = [
  { name: 'alpha', size: 10, at: '2025-08-15T06:00:00.000Z', result: 'Success', retry: false },
  { name: 'Beta "B"', size: 20, at: '2025-08-15T06:00:00.500Z', result: 'Warning', retry: true },
  { name: 'gamma', size: null, at: null, result: 'Failed', retry: false },
  { name: 'delta', size: 30, at: '2025-08-16T00:00:00.000Z', result: 'Postprocessing', retry: false },
];

const matching = (filter: string): string[] =>
  ROWS.filter(compileFilter(parseFilter(filter), FIELDS)).map((r) => r.name);

describe('filter evaluator', () => {
  it.each([
    ['TotalSize==20', ['Beta "B"']],
    ['TotalSize!=20', ['alpha', 'gamma', 'delta']], // a missing value satisfies only !=
    ['TotalSize<20', ['alpha']],
    ['TotalSize>20', ['delta']],
    ['TotalSize<=20', ['alpha', 'Beta "B"']],
    ['TotalSize>=20', ['Beta "B"', 'delta']],
    ['TotalSize>=1.5e1', ['Beta "B"', 'delta']],
  ])('compares numbers: %s', (filter, names) => {
    expect(matching(filter)).toEqual(names);
  });

  it('compares text case-insensitively, quotes included', () => {
    expect(matching('Name=="ALPHA"')).toEqual(['alpha']);
    expect(matching('Name=="beta ""b"""')).toEqual(['Beta "B"']);
    expect(matching('name!=alpha;NAME<delta')).toEqual(['Beta "B"']);
  });

  it.each([
    ['EndTime>="2025-08-15T06:00:00Z"', ['alpha', 'Beta "B"', 'delta']],
    ['EndTime>2025-08-15T06:00:00Z', ['Beta "B"', 'delta']],
    ['EndTime>"2025-08-15T06:00:00.4999999Z"', ['Beta "B"', 'delta']],
    ['EndTime<"2025-08-15T06:00:00.5000001Z"', ['alpha', 'Beta "B"']],
    ['EndTime>"2025-08-15T08:00:00.5000001+02:00"', ['delta']],
    ['EndTime=="2025-08-15T06:00:00.5Z"', ['Beta "B"']],
    ['EndTime<"2025-08-16"', ['alpha', 'Beta "B"']],
    ['EndTime<=2025-08-16T00:00:00', ['alpha', 'Beta "B"', 'delta']],
  ])('compares times as instants: %s', (filter, names) => {
    expect(matching(filter)).toEqual(names);
  });

  it('compares enums by position; an unknown row value has none', () => {
    expect(matching('Result>=Warning')).toEqual(['Beta "B"', 'gamma']);
    expect(matching('Result<warning')).toEqual(['alpha']);
    expect(matching('Result!=Success')).toEqual(['Beta "B"', 'gamma', 'delta']);
  });

  it('reads booleans in any case', () => {
    expect(matching('IsRetry==TRUE')).toEqual(['Beta "B"']);
    expect(matching('IsRetry!=true')).toEqual(['alpha', 'gamma', 'delta']);
  });

  it('combines with ; , and parentheses', () => {
    expect(matching('Result==Failed,Result==Warning;IsRetry==false')).toEqual(['gamma']);
    expect(matching('(Result==Failed,Result==Warning);IsRetry==true')).toEqual(['Beta "B"']);
    expect(matching('((Name==alpha),(Name==delta;TotalSize>25))')).toEqual(['alpha', 'delta']);
  });

  it.each([
    ['Size==1', 'Row has no field "Size" (fields: Name, TotalSize, EndTime, Result, IsRetry)'],
    ['TotalSize>big', '"big" is not a valid TotalSize value: expected a number'],
    ['EndTime>"yesterday"', 'is not a valid EndTime value: expected a UTC time'],
    ['EndTime>"2025-02-30T00:00:00Z"', 'is not a valid EndTime value'],
    ['Result==Great', 'expected one of None, Success, Warning, Failed'],
    ['IsRetry==yes', 'expected true or false'],
  ])('refuses %s', (filter, message) => expectRefused(() => matching(filter), message));
});
