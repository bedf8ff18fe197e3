// The built-in hints catalogue: every entry sourced, matched by its own Veeam-quoted sample and by no other entry's
// (unless declared more specific), and the matcher bounded on pathological input.

import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../functions/hints/catalogue.ts';
import { eventHints, matchEntries, matchHints } from '../../functions/hints/match.ts';
import { compile, matches, normalize, patternProblem } from '../../functions/hints/pattern.ts';
import { jobFailureHints } from '../support/messages-data.ts';

const ids = CATALOGUE.map((entry) => entry.id);
/** Whether `a` may match b's sample: a declared more specific than b, or b than a (a generic parent). */
const related = (a: (typeof CATALOGUE)[number], b: (typeof CATALOGUE)[number]) =>
  (a.moreSpecificThan ?? []).includes(b.id) || (b.moreSpecificThan ?? []).includes(a.id);

describe('the catalogue', () => {
  it('has unique kebab-case ids', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(CATALOGUE.map((entry) => [entry.id, entry] as const))(
    '%s: a usable rule, a cause, one to three steps and a Veeam source',
    (_, entry) => {
      expect(patternProblem(entry.match)).toBeNull();
      expect(entry.cause.trim()).not.toBe('');
      expect(entry.steps.length).toBeGreaterThanOrEqual(1);
      expect(entry.steps.length).toBeLessThanOrEqual(3);
      expect(entry.source.title.trim()).not.toBe('');
      expect(new URL(entry.source.url).hostname).toMatch(/(^|\.)veeam\.com$/);
      for (const other of entry.moreSpecificThan ?? []) expect(ids).toContain(other);
    },
  );

  it.each(CATALOGUE.map((entry) => [entry.id, entry] as const))('%s matches its own sample', (id, entry) => {
    expect(matchEntries(entry.sample).map((e) => e.id)).toContain(id);
    // As EM writes it: prefixed, in another case, wrapped.
    expect(
      matchEntries(`Error: ${entry.sample.toUpperCase().replace(/ /g, '\n ')}`).map((e) => e.id),
    ).toContain(id);
  });

  it('matches no sample with a second entry unless one is declared more specific than the other', () => {
    for (const entry of CATALOGUE) {
      for (const other of matchEntries(entry.sample)) {
        if (other.id !== entry.id) expect(related(entry, other), `${other.id} on ${entry.id}`).toBe(true);
      }
    }
  });

  it('lists the more specific entry first', () => {
    const both =
      'Cannot create  shadow copy of the volumes containing writer’s data. A VSS critical writer has failed.';
    expect(matchEntries(both).map((e) => e.id)).toEqual([
      'vss-critical-writer-failed',
      'vss-cannot-create-shadow-copy',
    ]);
  });

  it('matches nothing in an unrelated text', () => {
    expect(matchEntries('Error: Failed to create VM snapshot (Failed, VM 1)')).toEqual([]);
    expect(matchEntries('')).toEqual([]);
  });
});

describe('the matcher', () => {
  it('completes on a 100 kB reason made to make a backtracking engine explode', () => {
    const bait = `${'license key for '.repeat(6_000)}${'a'.repeat(4_000)}!`;
    expect(bait.length).toBeGreaterThan(100_000);
    expect(matchEntries(bait)).toEqual([]);
    const spaces = `failed to freeze guest${' \t\n'.repeat(40_000)}wait timeout`;
    expect(matchEntries(spaces).map((e) => e.id)).toEqual(['vss-freeze-timeout']);
    const local = [{ id: 'x', pattern: 'aaaa.*aaaa.*aaaab', cause: 'c', steps: ['s'], url: 'https://x' }];
    expect(matchHints('a'.repeat(100_000), local)).toEqual([]);
  });

  it('reads case, white space runs and typographic apostrophes alike', () => {
    expect(normalize('Writer’s  DATA\n x')).toBe("writer's data x");
    expect(matches(compile('one phrase.*then another|other'), 'one phrase and then another')).toBe(true);
    expect(matches(compile('one phrase.*then another'), 'then another, one phrase')).toBe(false);
  });

  it('refuses regex syntax and phrases too short to be specific', () => {
    expect(patternProblem('failed to (freeze|thaw)')).toMatch(/"\(" is regex syntax/);
    expect(patternProblem('timeout\\s+900')).toMatch(/regex syntax/);
    expect(patternProblem('(a+)+$')).toMatch(/regex syntax/);
    expect(patternProblem('vss|')).toMatch(/at least 4 characters/);
    expect(patternProblem('x'.repeat(1001))).toMatch(/at most 1000/);
    expect(patternProblem('path down.*esx03')).toBeNull();
  });
});

describe('hints of an event', () => {
  it('per VM, each once, local entries first; the VMs no hint knows left for the generic steps', () => {
    const event = jobFailureHints();
    const local = [
      {
        id: 'our-exchange',
        pattern: 'microsoft exchange writer',
        cause: 'Our Exchange DAG',
        steps: ['Page the mail team.'],
        url: 'https://wiki.example.com/exchange',
      },
    ];
    const { found, unmatched } = eventHints(event, local);
    expect(found.map((f) => [f.hint.id, f.for])).toEqual([
      ['vss-freeze-timeout', ['mail-01']],
      ['our-exchange', ['mail-02']],
      ['vss-critical-writer-failed', ['mail-02']],
      ['vss-cannot-create-shadow-copy', ['mail-02']],
    ]);
    expect(unmatched).toEqual(['mail-03']);
  });

  it('none for a resolved event', () => {
    expect(eventHints({ ...jobFailureHints(), event: 'resolved' }).found).toEqual([]);
  });
});
