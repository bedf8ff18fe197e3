// The matrix's own checks: the fault-free day it compares against, the generator (every step of every
// scheduled poll, for every fault, with no list of steps kept by hand), the default slice and the verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, AlertSeverity } from '../../functions/alerts/index.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import type { EventWrite } from '../../functions/state/store.ts';
import { findCanary } from '../support/canary.ts';
import { FAULTS, type StepKind, stepsOf } from './catalogue.ts';
import { SCHEDULED } from './day.ts';
import { allTrials, compare, emptyRow, faultFreeDay, perLabel, problems, table } from './matrix.ts';
import { Ledger, ProbedStore, Run } from './probes.ts';
import { countWrites, type PollRecord, type World } from './support.ts';

let dynamo: LocalDynamo;
let day: World;
beforeAll(async () => {
  dynamo = await startDynalite();
  day = await faultFreeDay(dynamo.endpoint);
});
afterAll(() => dynamo.close());

describe('the fault-free day', () => {
  it('delivers each event once on every channel, and ends quiet', () => {
    expect(day.polls.every((p) => p.outcome === 'ok')).toBe(true);
    const kinds = day.events().map((e) => `${e.event}:${e.severity}:${e.subject.name}`);
    // In delivery order; the CDP failure and the SQL one are decided by the same poll, and so are Fileserver02's
    // and Branch Office's (collected at 09:00, after its hold had passed: held 15 minutes from then).
    expect(kinds).toEqual([
      'failure:Failed:CDP Finance',
      'failure:Failed:SQL Replication',
      'resolved:Success:SQL Replication',
      'failure:Warning:Fileserver02 Replication',
      'stale:Warning:Archive Replica',
      'failure:Failed:Fileserver02 Replication',
      'failure:Failed:Branch Office',
      'failure:Failed:Web Farm Replica',
      'resolved:Success:Archive Replica',
      'failure:Failed:Exchange DR',
    ]);
    expect(day.ledger.deliveries).toHaveLength(kinds.length * 4);
    expect(compare(day.ledger, day.ledger)).toEqual({
      ...{ lost: [], duplicated: [], repeats: [], extra: [], replaced: [], added: [] },
    });
    expect(day.errors).toEqual([]); // every store write was one DynamoDB write (ProbedStore checks)
    expect(day.polls.at(-1)).toMatchObject({ outcome: 'ok', publishes: [], pending: 0 });
    expect(findCanary(day.transcript())).toEqual([]);
  });

  it('has every kind of step the faults act on, under every label', () => {
    const labels = (on: StepKind) =>
      new Set(day.polls.slice(0, SCHEDULED).flatMap((p, i) => stepsOf(on, p, i)));
    const queries = ['ReplicaJobSession', 'ReplicaTaskSession', 'CdpReplicaSession', 'CdpReplicaTaskSession'];
    const schedules = ['Job', 'CdpPolicy'];
    expect(labels('em')).toEqual(new Set(['logon', 'backupServers', ...queries, ...schedules, 'logoff']));
    expect(labels('page2')).toEqual(
      new Set(['ReplicaJobSession', 'ReplicaTaskSession', 'CdpReplicaTaskSession']),
    );
    expect(labels('write')).toEqual(
      new Set(['tryLease', 'recordEvent', 'saveSubject', 'saveMeta', 'markAllDelivered', 'releaseLease']),
    );
    expect(labels('publish')).toEqual(new Set(['chat', 'email', 'events', 'events batch', 'sms']));
    expect(labels('poll')).toEqual(new Set(['alerting poll', 'quiet poll']));
    expect(labels('day')).toEqual(new Set(['whole day']));
  });
});

describe('the probed store', () => {
  it("counts each operation's own DynamoDB writes while others run, and fails one that makes two", async () => {
    const client = localClient(dynamo.endpoint);
    await ensureTable(client, 'probed');
    const writes = countWrites(client);
    const inner = new DynamoStateStore(client, 'probed');
    // The old two-update mark, as an operation that makes two writes.
    const twice = Object.assign(Object.create(inner) as DynamoStateStore, {
      recordEvent: async (write: EventWrite) => {
        await inner.recordEvent(write);
        return inner.recordEvent({ ...write, id: `${write.id}-again` });
      },
    });
    const store = new ProbedStore(twice, new Run(), new Ledger(), writes);
    const saves = Array.from({ length: 8 }, (_, i) =>
      store.saveSubject({ em: 'em1', key: `k${i}`, state: {}, version: 0, expiresAtMs: null }),
    );
    const event = { em: 'em1', id: 'e1', event: {}, channels: ['sms'], nowMs: 0, seq: 0 };
    const [recorded] = await Promise.allSettled([store.recordEvent(event), ...saves]);
    expect(recorded).toMatchObject({
      status: 'rejected',
      reason: { message: /recordEvent made 2 DynamoDB writes/ },
    });
    await expect(Promise.all(saves)).resolves.toHaveLength(8);
    client.destroy();
  });
});

describe('the generator', () => {
  const poll = (steps: Partial<PollRecord>): PollRecord => ({
    writes: [],
    publishes: [],
    emRequests: [],
    page2: [],
    outcome: 'ok',
    pending: 0,
    ...steps,
  });

  it('gives each fault every step of its kind in every scheduled poll, and none in settling polls', () => {
    for (const fault of FAULTS) {
      const trials = allTrials(fault, day.polls);
      const expected = day.polls
        .slice(0, SCHEDULED)
        .reduce((n, p, i) => n + stepsOf(fault.on, p, i).length, 0);
      expect(trials, fault.name).toHaveLength(expected);
      expect(new Set(trials.map((t) => `${t.poll}/${t.step}`)).size).toBe(expected);
      expect(trials.every((t) => t.poll < SCHEDULED && t.step >= 1)).toBe(true);
    }
  });

  it('covers a new step without being told', () => {
    const crash = FAULTS.find((f) => f.name === 'crash-after-write');
    if (!crash) throw new Error('crash-after-write is gone');
    const writes = ['tryLease', 'saveMeta', 'releaseLease'] as const;
    const before = allTrials(crash, [poll({ writes: [...writes] }), poll({ writes: [...writes] })]);
    const after = allTrials(crash, [
      poll({ writes: [...writes] }),
      poll({ writes: ['tryLease', 'saveSubject', 'saveMeta', 'releaseLease'] }),
    ]);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ poll: 1, step: 4, label: 'releaseLease' });
    expect(perLabel(after).map((t) => t.label)).toContain('saveSubject');
  });

  it('slices one step per label, after the first poll when another has it', () => {
    const crash = FAULTS.find((f) => f.name === 'crash-after-write');
    if (!crash) throw new Error('crash-after-write is gone');
    const trials = allTrials(crash, [
      poll({ writes: ['tryLease', 'recordEvent', 'releaseLease'] }),
      poll({ writes: ['tryLease', 'saveMeta', 'releaseLease'] }),
      poll({ writes: ['tryLease', 'saveMeta', 'releaseLease'] }),
    ]);
    expect(perLabel(trials).map((t) => `${t.label}@${t.poll}/${t.step}`)).toEqual([
      'tryLease@1/1',
      'recordEvent@0/2',
      'releaseLease@1/3',
      'saveMeta@1/2',
    ]);
  });
});

describe('the verdict', () => {
  const ledger = (deliveries: [string, string, boolean][], events: AlertEvent[] = []) => {
    const l = new Ledger();
    l.deliveries.push(...deliveries.map(([id, channel, afterMark]) => ({ id, channel, afterMark })));
    for (const event of events) l.events.set(event.id, event);
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
      repeats: ['a/sms'],
      extra: ['d/sms'],
      replaced: [],
      added: ['d/sms'],
    });
  });

  it('counts a lost alert as replaced only by an extra one the same in all but its trigger, one for one', () => {
    const failure = (id: string, severity: AlertSeverity, uid = 'job-1') =>
      ({
        id,
        event: 'failure',
        severity,
        alertSeverity: severity,
        subject: { kind: 'replica-job', uid },
      }) as AlertEvent;
    const expected = ledger(
      [
        ['warned', 'sms', false],
        ['failed', 'sms', false],
        ['failed-again', 'sms', false],
      ],
      [failure('warned', 'Warning'), failure('failed', 'Failed'), failure('failed-again', 'Failed')],
    );
    // The Warning of the same job is no stand-in for its Failed alert, nor a failure of another job.
    const kept = ledger([['warned', 'sms', false]], [failure('warned', 'Warning')]);
    const other = ledger([['other-job', 'sms', false]], [failure('other-job', 'Failed', 'job-2')]);
    expect(compare(expected, kept).replaced).toEqual([]);
    expect(compare(expected, other).replaced).toEqual([]);
    // Decided under another trigger: one Failed failure stands in for one of the two lost.
    const retriggered = ledger(
      [
        ['warned', 'sms', false],
        ['failed-later', 'sms', false],
      ],
      [failure('warned', 'Warning'), failure('failed-later', 'Failed')],
    );
    expect(compare(expected, retriggered)).toMatchObject({
      lost: ['failed/sms', 'failed-again/sms'],
      extra: ['failed-later/sms'],
      replaced: ['failed/sms'],
      added: [],
    });
  });

  const fault = (name: string) => {
    const found = FAULTS.find((f) => f.name === name);
    if (!found) throw new Error(`${name} is gone`);
    return found;
  };
  const event = (id: string, kind: AlertEvent['event']) =>
    ({ id, event: kind, subject: { kind: 'replica-job', uid: id, name: id } }) as AlertEvent;

  it('allows a same-id repeat only where the fault may stop a poll between SNS and the mark, once a pair', () => {
    const expected = ledger([['a', 'sms', false]]);
    const once = ledger([
      ['a', 'sms', false],
      ['a', 'sms', false],
    ]);
    const twice = ledger([
      ['a', 'sms', false],
      ['a', 'sms', false],
      ['a', 'sms', false],
    ]);
    const judge = (name: string, label: string, actual: Ledger) =>
      problems(fault(name), label, compare(expected, actual), actual);
    expect(judge('crash-after-publish', 'sms', once)).toEqual([]);
    expect(judge('dynamo-throttled', 'markDelivered', once)).toEqual([]);
    expect(judge('dynamo-throttled', 'markAllDelivered', once)).toEqual([]);
    expect(judge('dynamo-throttled', 'saveMeta', once)).toEqual([
      'repeated a/sms (this fault at a saveMeta step may not repeat)',
    ]);
    expect(judge('crash-after-write', 'markDelivered', once)).toHaveLength(1); // its mark was written
    expect(judge('em-500', 'logon', once)).toHaveLength(1);
    expect(judge('crash-after-publish', 'sms', twice)).toEqual(['repeated more than once a/sms']);
  });

  it('allows added events only of the kinds and number a wrong clock or a late collection explains', () => {
    const expected = ledger([['a', 'sms', false]], [event('a', 'failure')]);
    const adding = (...added: [string, AlertEvent['event']][]) =>
      ledger(
        [['a', 'sms', false], ...added.map(([id]): [string, string, boolean] => [id, 'sms', false])],
        [event('a', 'failure'), ...added.map(([id, kind]) => event(id, kind))],
      );
    const judge = (name: string, actual: Ledger) =>
      problems(fault(name), 'quiet poll', compare(expected, actual), actual);
    expect(judge('poller-clock-ahead', adding(['s1', 'stale'], ['s2', 'stale']))).toEqual([]);
    expect(judge('poller-clock-ahead', adding(['f', 'failure']))).toEqual(['added f/sms (failure of f)']);
    const five = (['s1', 's2', 's3', 'l1', 'l2'] as const).map((id): [string, AlertEvent['event']] => [
      id,
      id.startsWith('s') ? 'stale' : 'long-run',
    ]);
    expect(judge('poller-clock-ahead', adding(...five))).toEqual([
      'added 5 events, more than the 4 explained: s1 (stale of s1) s2 (stale of s2) s3 (stale of s3) l1 (long-run of l1) l2 (long-run of l2)',
    ]);
    expect(judge('poller-clock-back', adding(['s1', 'stale']))).toEqual([
      'added s1/sms (stale of s1)',
      'added 1 events, more than the 0 explained: s1 (stale of s1)',
    ]);
    expect(judge('em-clock-back', adding(['s1', 'stale']))).toEqual(['added s1/sms (stale of s1)']);
    // A late collection may end a hold early (a replacement), never add an alert.
    expect(judge('em-collection-lag', adding(['f', 'failure']))).toEqual([
      'added f/sms (failure of f)',
      'added 1 events, more than the 0 explained: f (failure of f)',
    ]);
  });

  it('prints the README table', () => {
    const fault = FAULTS[0];
    if (!fault) throw new Error('no faults');
    expect(table([emptyRow(fault, 3, 12)]).split('\n')).toEqual([
      '| fault | steps tried | lost | duplicated | same-id repeats (crash window) | decided otherwise |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      `| ${fault.title} | 3 of 12 | 0 | 0 | 0 | – |`,
    ]);
  });
});
