// The matrix's own checks: the fault-free day it compares against, the generator (every step of every
// scheduled poll, for every fault, with no list of steps kept by hand) and the verdict's arithmetic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../functions/state/local.ts';
import { FAULTS, stepsOf } from './catalogue.ts';
import { SCHEDULED, scriptedDay } from './day.ts';
import { allTrials, compare, spread, table } from './matrix.ts';
import { Ledger } from './probes.ts';
import { PASSWORD, type PollRecord, World } from './support.ts';

let dynamo: LocalDynamo;
let day: World;
beforeAll(async () => {
  dynamo = await startDynalite();
  day = await World.start(dynamo.endpoint, scriptedDay());
  await day.play();
  await day.close();
});
afterAll(() => dynamo.close());

describe('the fault-free day', () => {
  it('delivers each event once on every channel, and ends quiet', () => {
    expect(day.polls.every((p) => p.outcome === 'ok')).toBe(true);
    const kinds = day.events().map((e) => `${e.event}:${e.severity}:${e.subject.name}`);
    // In delivery order; the CDP failure and the SQL one are decided by the same poll.
    expect(kinds).toEqual([
      'failure:Failed:CDP Finance',
      'failure:Failed:SQL Replication',
      'resolved:Success:SQL Replication',
      'failure:Warning:Fileserver02 Replication',
      'stale:Warning:Archive Replica',
      'failure:Failed:Branch Office',
      'failure:Failed:Fileserver02 Replication',
      'failure:Failed:Web Farm Replica',
      'resolved:Success:Archive Replica',
      'failure:Failed:Exchange DR',
    ]);
    expect(day.ledger.deliveries).toHaveLength(kinds.length * 4);
    expect(compare(day.ledger, day.ledger)).toEqual({
      ...{ lost: [], duplicated: [], windowRepeats: 0, extra: [], replaced: [] },
    });
    expect(day.polls.at(-1)).toMatchObject({ outcome: 'ok', publishes: 0, pending: 0 });
    expect(day.transcript()).not.toContain(PASSWORD);
  });

  it('has every kind of step the faults act on', () => {
    const scheduled = day.polls.slice(0, SCHEDULED);
    for (const on of ['em', 'page2', 'write', 'publish'] as const)
      expect(
        scheduled.reduce((n, p) => n + stepsOf(on, p), 0),
        on,
      ).toBeGreaterThan(10);
  });
});

describe('the generator', () => {
  const poll = (steps: Partial<PollRecord>): PollRecord => ({
    writes: 0,
    publishes: 0,
    emRequests: 0,
    page2: 0,
    outcome: 'ok',
    pending: 0,
    ...steps,
  });

  it('gives each fault every step of its kind in every scheduled poll, and none in settling polls', () => {
    for (const fault of FAULTS) {
      const trials = allTrials(fault, day.polls);
      const expected = day.polls.slice(0, SCHEDULED).reduce((n, p) => n + stepsOf(fault.on, p), 0);
      expect(trials, fault.name).toHaveLength(expected);
      expect(new Set(trials.map((t) => `${t.poll}/${t.step}`)).size).toBe(expected);
      expect(trials.every((t) => t.poll < SCHEDULED && t.step >= 1)).toBe(true);
    }
  });

  it('covers a new step without being told', () => {
    const crash = FAULTS.find((f) => f.name === 'crash-after-write');
    if (!crash) throw new Error('crash-after-write is gone');
    const before = allTrials(crash, [poll({ writes: 3 }), poll({ writes: 5 })]);
    const after = allTrials(crash, [poll({ writes: 3 }), poll({ writes: 6 })]);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ poll: 1, step: 6 });
  });

  it('spreads a slice over the whole day, first and last step included', () => {
    expect(spread([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([1, 4, 7]);
    expect(spread([1, 2], 3)).toEqual([1, 2]);
  });
});

describe('the verdict', () => {
  const ledger = (deliveries: [string, string, boolean][]) => {
    const l = new Ledger();
    l.deliveries.push(...deliveries.map(([id, channel, afterMark]) => ({ id, channel, afterMark })));
    return l;
  };

  it('tells lost, real duplicates, same-id repeats in the crash window and extra events apart', () => {
    const expected = ledger([
      ['a', 'sms', false],
      ['b', 'sms', false],
      ['c', 'sms', false],
    ]);
    const actual = ledger([
      ['a', 'sms', false],
      ['a', 'sms', false], // published again before the first was marked: the documented window
      ['b', 'sms', false],
      ['b', 'sms', true], // published again after it was marked: a duplicate
      ['d', 'sms', false],
    ]);
    expect(compare(expected, actual)).toEqual({
      lost: ['c/sms'],
      duplicated: ['b/sms'],
      windowRepeats: 1,
      extra: ['d/sms'],
      replaced: [],
    });
  });

  it('prints the README table', () => {
    const fault = FAULTS[0];
    if (!fault) throw new Error('no faults');
    const row = { fault, tried: 3, of: 12, lost: 0, duplicated: 0, windowRepeats: 0, extra: 0, replaced: 0 };
    expect(table([{ ...row, unsettled: 0, ms: 1 }]).split('\n')).toEqual([
      '| fault | steps tried | lost | duplicated | same-id repeats (crash window) | decided otherwise |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      `| ${fault.title} | 3 of 12 | 0 | 0 | 0 | – |`,
    ]);
  });
});
