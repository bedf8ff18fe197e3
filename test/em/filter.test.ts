import { describe, expect, it } from 'vitest';
import { and, compare, enumMember, eq, or } from '../../functions/em/filter.ts';

describe('filter builder', () => {
  it('writes comparisons with every operator and value kind', () => {
    expect(String(eq('JobName', 'SQL Replication'))).toBe('JobName=="SQL Replication"');
    expect(String(compare('CreationTime', '>=', new Date('2025-08-15T06:00:00.500Z')))).toBe(
      'CreationTime>="2025-08-15T06:00:00Z"',
    );
    expect(String(compare('TotalSize', '>', 1024))).toBe('TotalSize>1024');
    expect(String(compare('IsRetry', '!=', true))).toBe('IsRetry!=true');
    expect(String(compare('Result', '<=', enumMember('Warning')))).toBe('Result<=Warning');
    expect(String(compare('EndTime', '<', new Date(0)))).toBe('EndTime<"1970-01-01T00:00:00Z"');
  });

  it('parenthesises every compound operand, since ; versus , precedence is undocumented', () => {
    const filter = and(
      compare('CreationTime', '>=', new Date('2025-08-15T06:00:00Z')),
      or(eq('Result', enumMember('Warning')), eq('Result', enumMember('Failed'))),
    );
    expect(String(filter)).toBe('CreationTime>="2025-08-15T06:00:00Z";(Result==Warning,Result==Failed)');
    expect(String(or(and(eq('A', 1), eq('B', 2)), eq('C', 3)))).toBe('(A==1;B==2),C==3');
    expect(String(and(eq('A', 1)))).toBe('A==1');
  });

  it.each([
    ['Büro "Nord" Replica', 'JobName=="Büro ""Nord"" Replica"'],
    ['a;b,c', 'JobName=="a;b,c"'],
    ['x&y=z', 'JobName=="x&y=z"'],
    ['"', 'JobName==""""'],
    ['(Result==Failed)', 'JobName=="(Result==Failed)"'],
    ['日本語 ジョブ', 'JobName=="日本語 ジョブ"'],
  ])('quotes %j with inner quotes doubled', (name, expected) => {
    expect(String(eq('JobName', name))).toBe(expected);
  });

  it('refuses field names and enum members that are not identifiers, and empty groups', () => {
    expect(() => eq('JobName;Result', 'x')).toThrow(/Not a filter field name/);
    expect(() => eq('Result', enumMember('Failed,Result==Success'))).toThrow(/Not an enum member/);
    expect(() => compare('TotalSize', '>', Number.NaN)).toThrow(/finite/);
    expect(() => or()).toThrow(/at least one/);
  });
});
