// Silences and maintenance windows in the engine: what is held, what is sent when the hold ends, and to whom a
// silence applies. Property tests over generated timelines are in properties.test.ts.

import { describe, expect, it } from 'vitest';
import { openWindows } from '../../functions/alerts/maintenance.ts';
import { matches, type Silence } from '../../functions/alerts/silence.ts';
import type { SourceState } from '../../functions/alerts/state.ts';
import { at, brief, EM, Harness, jobRun, jobSchedule, settings } from '../support/alerts-data.ts';

const fail = (n: number, start: number) =>
  jobRun({ n, start, end: start + 10, result: 'Failed' }, ['Failed', 'Success']);
const ok = (n: number, start: number) =>
  jobRun({ n, start, end: start + 10, result: 'Success' }, ['Success']);

const silence = (from: number, until: number, extra: Partial<Silence> = {}): Silence => ({
  id: 'a1b2c3d4',
  job: 'SQL*',
  server: null,
  em: null,
  from: at(from),
  until: at(until),
  untilResolved: false,
  reason: 'datastore swap',
  by: 'alice',
  ...extra,
});

describe('a silence', () => {
  it('holds a new failure and its reminders; when it ends, one failure says since when it fails', () => {
    const h = new Harness(settings({ repeat: 60 }));
    const silences = [silence(0, 300)];
    for (const now of [30, 100, 200, 290])
      expect(h.poll({ now, replica: [fail(1, 0)], silences })).toEqual([]);
    expect(h.job()?.alert).toMatchObject({ since: at(10), failedRuns: 1 }); // its state moved on
    expect(h.job()?.silenced).toMatchObject({ id: 'a1b2c3d4', since: at(30), told: false });
    const [event, ...rest] = h.poll({ now: 310, replica: [fail(2, 240)], silences });
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      event: 'failure',
      severity: 'Failed',
      failingSince: at(10),
      failedRuns: 2,
      session: { endTime: at(250) },
      afterSilence: { id: 'a1b2c3d4', reason: 'datastore swap', by: 'alice', heldSince: at(30) },
    });
    expect(h.job()?.silenced).toBeUndefined();
    // The notice counts as one sent: the next reminder comes `repeat` after it, not at once.
    expect(h.poll({ now: 320, replica: [] })).toEqual([]);
    expect(brief(h.poll({ now: 371, replica: [] }))).toEqual(['reminder:Failed:2']);
  });

  it('an alert people were told of gets a reminder when the silence ends, not a second failure', () => {
    const h = new Harness(settings({ repeat: 60 }));
    expect(brief(h.poll({ now: 30, replica: [fail(1, 0)] }))).toEqual(['failure:Failed:1']);
    const silences = [silence(40, 200)];
    for (const now of [50, 110, 170]) expect(h.poll({ now, replica: [], silences })).toEqual([]);
    const events = h.poll({ now: 210, replica: [], silences });
    expect(brief(events)).toEqual(['reminder:Failed:1']);
    expect(events[0]?.afterSilence?.heldSince).toBe(at(50));
  });

  it('a told alert that resolved while held gets its resolved when the silence ends; one that opened and closed while held sends nothing', () => {
    const h = new Harness(settings({ stale: 'off' }));
    h.poll({ now: 30, replica: [fail(1, 0)] }); // told
    const silences = [silence(40, 500)];
    expect(h.poll({ now: 60, replica: [ok(2, 45)], silences })).toEqual([]);
    expect(h.poll({ now: 200, replica: [fail(3, 100)], silences })).toEqual([]); // a new alert, not told
    expect(h.poll({ now: 300, replica: [ok(4, 250)], silences })).toEqual([]);
    const events = h.poll({ now: 510, replica: [], silences });
    expect(brief(events)).toEqual(['resolved:Success:1']);
    expect(events[0]).toMatchObject({ session: { endTime: at(55) }, afterSilence: { id: 'a1b2c3d4' } });
    expect(h.poll({ now: 600, replica: [] })).toEqual([]);
  });

  it('removed before its end: the next poll sends what it held', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0)], silences: [silence(0, 1000)] });
    expect(brief(h.poll({ now: 60, replica: [] }))).toEqual(['failure:Failed:1']);
  });

  it('another silence taking over keeps the hold; the message names the last one', () => {
    const h = new Harness();
    const second = silence(100, 300, { id: 'ffff0000', reason: 'still swapping' });
    h.poll({ now: 30, replica: [fail(1, 0)], silences: [silence(0, 120), second] });
    expect(h.poll({ now: 150, replica: [], silences: [silence(0, 120), second] })).toEqual([]);
    const [event] = h.poll({ now: 310, replica: [], silences: [second] });
    expect(event?.afterSilence).toEqual({
      id: 'ffff0000',
      reason: 'still swapping',
      by: 'alice',
      heldSince: at(30),
    });
  });

  it('a failure still held for its retries when the silence ends is sent when its hold ends, once', () => {
    const h = new Harness();
    expect(h.poll({ now: 12, replica: [fail(1, 0)], silences: [silence(0, 20)] })).toEqual([]);
    expect(h.poll({ now: 21, replica: [] })).toEqual([]);
    expect(brief(h.poll({ now: 26, replica: [] }))).toEqual(['failure:Failed:1']);
  });

  it('not yet begun, or over, it holds nothing', () => {
    const h = new Harness();
    expect(brief(h.poll({ now: 30, replica: [fail(1, 0)], silences: [silence(40, 100)] }))).toEqual([
      'failure:Failed:1',
    ]);
    expect(brief(h.poll({ now: 120, replica: [ok(2, 105)], silences: [silence(40, 100)] }))).toEqual([
      'resolved:Success:1',
    ]);
  });

  it('a job no longer watched (muted) forgets its hold', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0)], silences: [silence(0, 100)] });
    h.poll({ now: 40, replica: [], settings: settings({ muted: ['SQL Replication'] }) });
    expect(h.job()?.silenced).toBeUndefined();
    expect(h.poll({ now: 200, replica: [] })).toEqual([]);
  });
});

describe('notices under a silence', () => {
  const enabled = [jobSchedule({ nextRun: at(10_000) })];
  const disabled = [jobSchedule({ scheduleEnabled: false })];
  const quiet = settings({ stale: 'off' });

  it('a schedule disabled while held: its notice when the hold ends, and later its all-clear', () => {
    const h = new Harness(quiet);
    h.poll({ now: 20, replica: [ok(1, 0)], schedules: enabled });
    const silences = [silence(30, 200)];
    expect(h.poll({ now: 40, replica: [], schedules: disabled, silences })).toEqual([]);
    const [notice, ...rest] = h.poll({ now: 210, replica: [], schedules: disabled });
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      event: 'schedule-disabled',
      detectedAt: at(40),
      afterSilence: { id: 'a1b2c3d4', heldSince: at(40) },
    });
    expect(brief(h.poll({ now: 220, replica: [], schedules: enabled }))).toEqual([
      'schedule-enabled:Success',
    ]);
  });

  it('one people were told of and enabled again while held: its all-clear when the hold ends, once', () => {
    const h = new Harness(quiet);
    h.poll({ now: 20, replica: [ok(1, 0)], schedules: enabled });
    expect(brief(h.poll({ now: 30, replica: [], schedules: disabled }))).toEqual([
      'schedule-disabled:Warning',
    ]);
    const silences = [silence(35, 200)];
    expect(h.poll({ now: 40, replica: [], schedules: disabled, silences })).toEqual([]);
    expect(h.poll({ now: 50, replica: [], schedules: enabled, silences })).toEqual([]);
    // Disabled and enabled again while held: never told, never sent.
    expect(h.poll({ now: 60, replica: [], schedules: disabled, silences })).toEqual([]);
    expect(h.poll({ now: 70, replica: [], schedules: enabled, silences })).toEqual([]);
    expect(h.job()?.silenced?.notices?.map((e) => e.event)).toEqual(['schedule-enabled']);
    const events = h.poll({ now: 210, replica: [], schedules: enabled });
    expect(events).toMatchObject([{ event: 'schedule-enabled', detectedAt: at(50), failingSince: at(30) }]);
    expect(h.poll({ now: 220, replica: [], schedules: enabled })).toEqual([]);
  });

  it('a long run that began and ended while held sends nothing; one still running when the hold ends is told, and its end later', () => {
    const history = [0, 60, 120].map((start, n) => jobRun({ n: n + 1, start, end: start + 40 }, ['Success']));
    const h = new Harness(quiet);
    h.poll({ now: 170, replica: history });
    const silences = [silence(175, 600)];
    expect(h.poll({ now: 301, replica: [jobRun({ n: 4, start: 180 })], silences })).toEqual([]);
    const done = jobRun({ n: 4, start: 180, end: 310 }, ['Success']);
    expect(h.poll({ now: 320, replica: [done], silences })).toEqual([]);
    expect(h.job()?.silenced?.notices).toBeUndefined();
    expect(h.poll({ now: 500, replica: [jobRun({ n: 5, start: 370 })], silences })).toEqual([]);
    const [told, ...rest] = h.poll({ now: 610, replica: [jobRun({ n: 5, start: 370 })] });
    expect(rest).toEqual([]);
    // Decided at 301 (131 minutes in), sent at 610: it says how long the run has gone on by now.
    expect(told).toMatchObject({
      event: 'long-run',
      longRun: { startedAt: at(370), runningMinutes: 240 },
      afterSilence: { heldSince: at(301) },
    });
    const ended = h.poll({ now: 640, replica: [jobRun({ n: 5, start: 370, end: 630 }, ['Success'])] });
    expect(brief(ended)).toEqual(['long-run-ended:Success']);
  });

  it('a job no longer watched drops what was held and closes its notices quietly; watched again, it starts afresh', () => {
    const h = new Harness(quiet);
    h.poll({ now: 20, replica: [ok(1, 0)], schedules: enabled });
    expect(h.poll({ now: 40, replica: [], schedules: disabled, silences: [silence(30, 100)] })).toEqual([]);
    const excluded = settings({ stale: 'off', exclude: ['SQL*'] });
    h.poll({ now: 50, replica: [], schedules: disabled, settings: excluded });
    expect(h.job()).not.toHaveProperty('disabledSince');
    for (const now of [150, 160]) expect(h.poll({ now, replica: [], schedules: enabled })).toEqual([]);
    // Disabled again: a new notice, with an id of its own.
    const [again] = h.poll({ now: 170, replica: [], schedules: disabled });
    expect(again?.event).toBe('schedule-disabled');
    expect(h.sent.map((e) => e.event)).toEqual(['schedule-disabled']);
  });

  it('a long run held, then not watched, then watched again while it still runs: its notice is sent then', () => {
    const history = [0, 60, 120].map((start, n) => jobRun({ n: n + 1, start, end: start + 40 }, ['Success']));
    const running = jobRun({ n: 4, start: 180 });
    const h = new Harness(quiet);
    h.poll({ now: 170, replica: history });
    expect(h.poll({ now: 301, replica: [running], silences: [silence(175, 600)] })).toEqual([]);
    h.poll({
      now: 310,
      replica: [running],
      settings: settings({ stale: 'off', muted: ['SQL Replication'] }),
    });
    expect(h.job()).not.toHaveProperty('longRun');
    expect(h.poll({ now: 700, replica: [running] })).toMatchObject([
      { event: 'long-run', longRun: { runningMinutes: 520 } },
    ]);
    const ended = h.poll({ now: 720, replica: [jobRun({ n: 4, start: 180, end: 710 }, ['Success'])] });
    expect(brief(ended)).toEqual(['long-run-ended:Success']);
  });

  it('a notice sent as the hold ends does not stand in for the failure still open', () => {
    const h = new Harness(quiet);
    h.poll({ now: 20, replica: [ok(1, 0)], schedules: enabled });
    for (const now of [40, 80])
      h.poll({ now, replica: [fail(2, 25)], schedules: enabled, silences: [silence(30, 100)] });
    expect(h.job()?.alert).not.toBeNull();
    const events = h.poll({ now: 110, replica: [], schedules: disabled });
    expect(brief(events).sort()).toEqual(['failure:Failed:1', 'schedule-disabled:Warning']);
    expect(events.every((e) => e.afterSilence?.id === 'a1b2c3d4')).toBe(true);
  });
});

describe('until resolved', () => {
  it('ends at the poll after which nothing it matches is failing: the resolved is sent then, and later failures alert', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0)] });
    const silences = [silence(40, 10_000, { untilResolved: true })];
    expect(h.poll({ now: 100, replica: [fail(2, 60)], silences })).toEqual([]);
    const events = h.poll({ now: 200, replica: [ok(3, 150)], silences });
    expect(brief(events)).toEqual(['resolved:Success:2']);
    expect(events[0]?.afterSilence?.id).toBe('a1b2c3d4');
    const source = h.store.get(`${EM}|enterprise-manager|${EM}`) as SourceState;
    expect(source.resolvedSilences).toEqual(['a1b2c3d4']);
    expect(brief(h.poll({ now: 300, replica: [fail(4, 250)], silences }))).toEqual(['failure:Failed:1']);
    // Forgotten once the silence is gone from the store.
    h.poll({ now: 400, replica: [] });
    expect((h.store.get(`${EM}|enterprise-manager|${EM}`) as SourceState).resolvedSilences).toBeUndefined();
  });

  it('does not end on a poll that could not read the EM', () => {
    const h = new Harness();
    const silences = [silence(0, 10_000, { untilResolved: true, job: null, em: EM })];
    h.poll({ now: 30, replica: [fail(1, 0)], silences });
    h.poll({ now: 40, outcome: { ok: false, error: { kind: 'timeout', message: 'no answer' } }, silences });
    expect(h.job()?.silenced).toBeDefined();
  });
});

describe('the Enterprise Manager itself', () => {
  const down = { ok: false as const, error: { kind: 'unreachable', message: 'ECONNREFUSED' } };

  it('a silence naming only the EM holds its unreachable notice; still down when it ends, the notice is sent', () => {
    const h = new Harness(settings({ unreachableAfter: 2 }));
    const silences = [silence(0, 100, { job: null, em: EM })];
    for (const now of [10, 20, 30]) expect(h.poll({ now, outcome: down, silences })).toEqual([]);
    const [event] = h.poll({ now: 110, outcome: down, silences });
    expect(event).toMatchObject({
      event: 'source-unreachable',
      failingSince: at(10),
      source: { failedPolls: 4 },
      afterSilence: { id: 'a1b2c3d4' },
    });
  });

  it('a job glob does not hold the EM notice', () => {
    const h = new Harness(settings({ unreachableAfter: 1 }));
    expect(brief(h.poll({ now: 10, outcome: down, silences: [silence(0, 100)] }))).toEqual([
      'source-unreachable:Failed',
    ]);
  });
});

describe('matching', () => {
  const subject = {
    kind: 'replica-job' as const,
    uid: 'urn:veeam:Job:1',
    name: 'SQL Replication',
    backupServer: 'vbr02.tech.local',
    enterpriseManager: 'em-prod',
  };
  it.each([
    [{ job: 'sql*' }, true],
    [{ job: 'urn:veeam:Job:1' }, true],
    [{ job: 'Exchange*' }, false],
    [{ job: null, server: 'vbr02*' }, true],
    [{ job: 'SQL*', server: 'vbr01*' }, false],
    [{ job: null, em: 'EM-PROD' }, true],
    [{ job: 'SQL*', em: 'em-test' }, false],
  ])('%j matches: %s', (extra, expected) => {
    expect(matches(silence(0, 1, extra), subject)).toBe(expected);
  });
  it('the EM itself only by a silence naming no job and no server', () => {
    const em = { ...subject, kind: 'enterprise-manager' as const, backupServer: null };
    expect(matches(silence(0, 1, { job: null, em: 'em-prod' }), em)).toBe(true);
    expect(matches(silence(0, 1, { job: '*', em: 'em-prod' }), em)).toBe(false);
  });
});

describe('maintenance windows', () => {
  const window = { name: 'Patch night', days: ['Tue' as const], start: '01:00', duration: 120 };

  it('hold what fails inside the window; what still fails when it closes is sent then', () => {
    // T0 is Tuesday 2025-06-17 00:00 UTC: the window is 01:00-03:00 UTC.
    const h = new Harness(settings({ maintenance: [{ ...window, job: 'SQL*' }] }));
    expect(h.poll({ now: 90, replica: [fail(1, 70)] })).toEqual([]);
    expect(h.poll({ now: 120, replica: [] })).toEqual([]);
    expect(h.job()?.silenced?.id).toBe('maintenance:Patch night');
    const [event] = h.poll({ now: 181, replica: [] });
    expect(event).toMatchObject({
      event: 'failure',
      afterSilence: { reason: 'maintenance window "Patch night"' },
    });
  });

  it.each([
    ['inside, UTC', '2025-06-17T01:30:00Z', 'UTC', ['2025-06-17T01:00:00.000Z', '2025-06-17T03:00:00.000Z']],
    ['before', '2025-06-17T00:59:00Z', 'UTC', null],
    ['at its end', '2025-06-17T03:00:00Z', 'UTC', null],
    [
      'in Berlin (summer time, UTC+2)',
      '2025-06-16T23:30:00Z',
      'Europe/Berlin',
      ['2025-06-16T23:00:00.000Z', '2025-06-17T01:00:00.000Z'],
    ],
    ['another day', '2025-06-18T01:30:00Z', 'UTC', null],
  ])('%s', (_, now, timeZone, expected) => {
    const open = openWindows([window], now, timeZone);
    expect(open.length ? [open[0]?.from, open[0]?.until] : null).toEqual(expected);
  });

  it('a window across midnight and the week boundary (Sunday 23:00 for 3 hours)', () => {
    const sunday = { name: 'Weekend', days: ['Sun' as const], start: '23:00', duration: 180 };
    const [open] = openWindows([sunday], '2025-06-23T01:00:00Z', 'UTC'); // Monday 01:00
    expect([open?.from, open?.until]).toEqual(['2025-06-22T23:00:00.000Z', '2025-06-23T02:00:00.000Z']);
  });

  it('windows of consecutive days that overlap count as one, from the first start to the last end', () => {
    const long = { name: 'Long', days: ['Mon' as const, 'Tue' as const], start: '00:00', duration: 2880 };
    const [open] = openWindows([long], '2025-06-17T12:00:00Z', 'UTC'); // Tuesday noon
    expect([open?.from, open?.until]).toEqual(['2025-06-16T00:00:00.000Z', '2025-06-19T00:00:00.000Z']);
  });
});
