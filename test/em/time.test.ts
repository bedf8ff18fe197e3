import { describe, expect, it } from 'vitest';
import { formatFilterTime, parseEmTime } from '../../functions/em/time.ts';

describe('parseEmTime', () => {
  it.each([
    ['2014-10-19T06:47:21Z', '2014-10-19T06:47:21.000Z'],
    ['2021-06-15T22:11:06.11Z', '2021-06-15T22:11:06.110Z'],
    ['2021-06-15T22:06:57.263Z', '2021-06-15T22:06:57.263Z'],
    ['2025-08-16T05:17:38.22142Z', '2025-08-16T05:17:38.221Z'],
    ['2025-08-16T05:17:38.2214299Z', '2025-08-16T05:17:38.221Z'],
    ['2025-08-16T05:17:38.1', '2025-08-16T05:17:38.100Z'],
    ['2025-08-16T07:17:38+02:00', '2025-08-16T05:17:38.000Z'],
    ['2026-11-25T23:30:00-02:00', '2026-11-26T01:30:00.000Z'], // the offset moves it to the next UTC day
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'], // .NET's DateTime.MinValue, not 1901
    ['0099-12-31T23:59:59Z', '0099-12-31T23:59:59.000Z'],
  ])('parses %s', (input, expected) => {
    expect(parseEmTime(input)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '2025-13-01T00:00:00Z',
    '2025-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-08-16T05:17:38.12345678Z',
    '2025-08-16T24:00:00Z',
    '2025-08-16T05:60:00Z',
    '2025-08-16T05:17:60Z',
    '2025-08-16T05:17:38+15:00',
  ])('rejects %j', (input) => {
    expect(parseEmTime(input)).toBeNull();
  });
});

describe('formatFilterTime', () => {
  it('formats UTC with whole seconds and Z', () => {
    expect(formatFilterTime('2025-08-15T06:00:00.999Z')).toBe('2025-08-15T06:00:00Z');
    expect(formatFilterTime(new Date(Date.UTC(2025, 7, 15, 6)))).toBe('2025-08-15T06:00:00Z');
  });
  it('refuses an invalid time', () => {
    expect(() => formatFilterTime('nope')).toThrow(/Not a valid time/);
  });
});
