import { describe, expect, it } from 'vitest';
import { globToRegExp, subjectFilter } from '../../functions/alerts/patterns.ts';
import { DEFAULT_SETTINGS, validateSettings } from '../../functions/alerts/settings.ts';

const WINDOW = { name: 'Patch night', days: ['Sat'], start: '22:00', duration: 240 };

describe('validateSettings', () => {
  it('fills every default', () => {
    expect(validateSettings({})).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(validateSettings(undefined)).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(DEFAULT_SETTINGS).toMatchObject({
      alertOn: ['Failed', 'Warning'],
      retryHold: 15,
      repeat: 1440,
      stale: 'auto',
      unreachableAfter: 3,
      lookback: 1440,
      collectionLag: 1440,
      cdp: true,
      timeZone: 'UTC',
    });
  });

  it('accepts valid values', () => {
    const result = validateSettings({
      alertOn: ['Failed'],
      retryHold: 0,
      repeat: 0,
      stale: 'off',
      staleOverrides: { 'Weekly DR': 20160, 'urn:veeam:Job:1': 'auto' },
      timeZone: 'Europe/Berlin',
      include: ['SQL*'],
      muted: ['Test job'],
      maintenance: [WINDOW, { ...WINDOW, name: 'EM upgrade', em: 'em-prod', timeZone: 'Europe/Berlin' }],
    });
    expect(result.ok).toBe(true);
  });

  it.each([
    [{ alertOn: [] }, /^alertOn: give a non-empty list/],
    [
      { alertOn: ['Success'] },
      /^alertOn\[0\]: "Success" is not a result that alerts; give "Failed" or "Warning"/,
    ],
    [{ retryHold: -1 }, /^retryHold: give whole minutes from 0 to 1440/],
    [{ retryHold: 1.5 }, /^retryHold:/],
    [{ repeat: '24h' }, /^repeat: give whole minutes/],
    [{ stale: 5 }, /^stale: give "auto"/],
    [{ staleOverrides: { 'Weekly DR': 'sometimes' } }, /^staleOverrides\["Weekly DR"\]: give "auto"/],
    [{ unreachableAfter: 0 }, /^unreachableAfter: give a whole number of polls/],
    [{ lookback: 999_999 }, /^lookback:/],
    [{ collectionLag: 30 }, /^collectionLag: give whole minutes from 60 to 10080/],
    [{ collectionLag: 20_000 }, /^collectionLag:/],
    [{ cdp: 'yes' }, /^cdp: give true or false/],
    [{ include: [''] }, /^include\[0\]: give a non-empty glob, e.g. "SQL\*"/],
    [{ include: 'SQL*' }, /^include: give a list of globs, e.g. \["SQL\*"\]/],
    [{ muted: [' '] }, /^muted\[0\]: give a non-empty job or policy name or uid, or an EM name/],
    [{ timeZone: 'Mars/Olympus' }, /^timeZone: "Mars\/Olympus" is not an IANA time zone; use e.g./],
    [{ maintenance: {} }, /^maintenance: give a list of maintenance windows/],
    [
      { maintenance: [{ ...WINDOW, start: '25:00' }] },
      /^maintenance\[0\]\.start: give the local start time as HH:MM/,
    ],
    [
      { maintenance: [{ ...WINDOW, days: ['Saturday'] }] },
      /^maintenance\[0\]\.days\[0\]: give days as Mon, Tue/,
    ],
    [{ maintenance: [{ ...WINDOW, days: [] }] }, /^maintenance\[0\]\.days: give at least one day/],
    [
      { maintenance: [{ ...WINDOW, duration: 0 }] },
      /^maintenance\[0\]\.duration: give whole minutes from 1 to 10080/,
    ],
    [
      { maintenance: [{ ...WINDOW, timeZone: 'Mars/Olympus' }] },
      /^maintenance\[0\]\.timeZone: "Mars\/Olympus" is not an IANA/,
    ],
    [{ maintenance: [{ ...WINDOW, name: ' ' }] }, /^maintenance\[0\]\.name: give the window a name/],
    [
      { maintenance: [{ ...WINDOW, jobs: 'SQL*' }] },
      /^maintenance\[0\]\.jobs: unknown setting; .* Did you mean "job"\?$/,
    ],
    [{ retryhold: 15 }, /^retryhold: unknown setting; known settings are alertOn, retryHold/],
    [{ retryhold: 15 }, /Did you mean "retryHold"\?$/],
    [{ 'retry-hold': 15 }, /^"retry-hold": unknown setting; .* Did you mean "retryHold"\?$/],
  ])('rejects %j naming the setting and the fix', (input, message) => {
    const result = validateSettings(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([expect.stringMatching(message)]);
  });

  it('reports every error at once', () => {
    const result = validateSettings({ retryHold: -1, repeat: -1 });
    expect(result.ok ? [] : result.errors).toHaveLength(2);
  });

  it('gives each caller its own defaults, never shared lists', () => {
    const first = validateSettings({});
    if (first.ok) first.settings.include.push('SQL*');
    expect(validateSettings({})).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(DEFAULT_SETTINGS.include).toEqual([]);
  });

  it('rejects what is not an object', () => {
    expect(validateSettings([1])).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^settings: give an object of alerting settings, e.g. \{"retryHold": 15/),
      ],
    });
  });
});

describe('name patterns', () => {
  it.each([
    ['SQL*', 'SQL Replication', true],
    ['sql*', 'SQL Replication', true],
    ['SQL?', 'SQL1', true],
    ['SQL?', 'SQL12', false],
    ['*DR*', 'Exchange DR weekly', true],
    ['a.b', 'axb', false],
    ['(x)+[y]', '(x)+[y]', true],
  ])('%s matches %s: %s', (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });

  it('exclude wins over include; muted matches names and uids exactly', () => {
    const filter = subjectFilter({
      ...DEFAULT_SETTINGS,
      include: ['SQL*'],
      exclude: ['*test*'],
      muted: ['urn:x'],
    });
    expect(filter({ name: 'SQL prod', uid: 'urn:a' })).toBe(true);
    expect(filter({ name: 'SQL test', uid: 'urn:a' })).toBe(false);
    expect(filter({ name: 'Exchange', uid: 'urn:a' })).toBe(false);
    expect(filter({ name: 'SQL prod', uid: 'URN:X' })).toBe(false);
  });
});
