// The rules on the EM's schedules (query?type=Job and CdpPolicy): a disabled schedule's notice and its all-clear,
// a missed scheduled run, a job run only by hand never stale, and what happens when the schedules cannot be read.

import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../functions/em/model.ts';
import {
  at,
  brief,
  cdpSession,
  cdpTask,
  Harness,
  jobRun,
  jobSchedule,
  settings,
} from '../support/alerts-data.ts';

const ok = (n: number, start: number) =>
  jobRun({ n, start, end: start + 10, result: 'Success' }, ['Success']);
/** Hourly runs at minute 0 from `from` to `to` (minutes after T0). */
const hourly = (from: number, to: number) =>
  Array.from({ length: Math.floor((to - from) / 60) + 1 }, (_, i) => ok(i + 1, from + i * 60));

const schedule = jobSchedule;

describe('a disabled schedule', () => {
  it('seen enabled, then disabled: one notice (not repeated, no stale meanwhile); enabled again: its all-clear', () => {
    const h = new Harness();
    const runs = hourly(0, 300);
    h.poll({ now: 320, replica: runs, schedules: [schedule({ nextRun: at(360) })] });
    const [notice, ...rest] = h.poll({
      now: 330,
      replica: runs,
      schedules: [schedule({ scheduleEnabled: false })],
    });
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      event: 'schedule-disabled',
      severity: 'Warning',
      alertSeverity: 'Warning',
      failingSince: at(330),
      schedule: { enabled: false, nextRun: null },
      session: { endTime: at(310) },
    });
    // Days later, still disabled: no repeat and no stale (the median gap is an hour).
    for (const now of [400, 2000, 3000])
      expect(h.poll({ now, replica: [], schedules: [schedule({ scheduleEnabled: false })] })).toEqual([]);
    const [enabled] = h.poll({ now: 3010, replica: [], schedules: [schedule({ nextRun: at(3060) })] });
    expect(enabled).toMatchObject({ event: 'schedule-enabled', severity: 'Success', failingSince: at(330) });
    expect(enabled?.id).not.toBe(notice?.id);
    // A second disabling is a new notice.
    expect(
      brief(h.poll({ now: 3020, replica: [], schedules: [schedule({ scheduleEnabled: false })] })),
    ).toEqual(['schedule-disabled:Warning']);
  });

  it('first seen disabled, or its schedule unreadable this poll: nothing is said', () => {
    const h = new Harness(settings({ stale: 'off' }));
    expect(
      h.poll({ now: 20, replica: [ok(1, 0)], schedules: [schedule({ scheduleEnabled: false })] }),
    ).toEqual([]);
    const g = new Harness(settings({ stale: 'off' }));
    g.poll({ now: 20, replica: [ok(1, 0)], schedules: [schedule()] });
    expect(g.poll({ now: 30, replica: [] })).toEqual([]); // not read: nothing known
    expect(g.job()?.schedule).toEqual({ configured: true, enabled: true, nextRun: null });
    g.poll({ now: 40, replica: [], schedules: [] }); // read, not listed (deleted): forgotten
    expect(g.job()?.schedule).toBeUndefined();
  });
});

describe('a missed scheduled run', () => {
  it('is stale once its NextRun passed by missedRunGrace with no session, earlier than the median gap', () => {
    const h = new Harness(settings({ missedRunGrace: 30 }));
    const runs = hourly(0, 600); // hourly: the median-gap threshold is 3 h
    h.poll({ now: 615, replica: runs, schedules: [schedule({ nextRun: at(660) })] });
    expect(h.poll({ now: 689, replica: [], schedules: [schedule({ nextRun: at(660) })] })).toEqual([]);
    const [stale] = h.poll({ now: 691, replica: [], schedules: [schedule({ nextRun: at(660) })] });
    expect(stale).toMatchObject({
      event: 'stale',
      failingSince: at(690),
      stale: { lastRunEnd: at(610), thresholdMinutes: 30, basis: 'schedule', dueAt: at(660) },
    });
    // The run comes after all: resolved.
    expect(
      brief(h.poll({ now: 720, replica: [ok(12, 700)], schedules: [schedule({ nextRun: at(780) })] })),
    ).toEqual(['resolved:Success:0']);
  });

  it('a session that started for it (still running) is no missed run', () => {
    const h = new Harness();
    h.poll({ now: 615, replica: hourly(0, 600), schedules: [schedule({ nextRun: at(660) })] });
    const running = jobRun({ n: 12, start: 660 });
    const events = h.poll({ now: 700, replica: [running], schedules: [schedule({ nextRun: at(660) })] });
    expect(events.filter((e) => e.event === 'stale')).toEqual([]);
  });

  it('the median gap stays the backstop when the EM gives no NextRun, or it is never reached', () => {
    const h = new Harness();
    h.poll({ now: 615, replica: hourly(0, 600), schedules: [schedule({ nextRun: at(3000) })] });
    expect(brief(h.poll({ now: 800, replica: [], schedules: [schedule({ nextRun: at(3000) })] }))).toEqual([
      'stale:Warning',
    ]);
  });
});

describe('a job run only by hand', () => {
  it('is never stale, whatever the gap', () => {
    const h = new Harness(settings({ stale: 60 }));
    const manual = [schedule({ scheduleConfigured: false, scheduleEnabled: false })];
    h.poll({ now: 20, replica: [ok(1, 0)], schedules: manual });
    expect(h.poll({ now: 10_000, replica: [], schedules: manual })).toEqual([]);
    expect(h.poll({ now: 20_000, replica: [] })).toEqual([]); // remembered while unreadable
  });
});

describe('a run far longer than usual', () => {
  /** Three runs of 40 minutes, hourly... then one that starts at 180 and keeps running. */
  const history = [0, 60, 120].map((start, n) => jobRun({ n: n + 1, start, end: start + 40 }, ['Success']));
  const hung = jobRun({ n: 4, start: 180 });

  it('one Warning once it runs longer than 3 x the median (at least 30 min), closed when it ends', () => {
    const h = new Harness(settings({ stale: 'off' }));
    h.poll({ now: 170, replica: history });
    expect(h.poll({ now: 300, replica: [hung] })).toEqual([]); // 2 h: within 3 x 40 min
    const [notice, ...rest] = h.poll({ now: 301, replica: [hung] });
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      event: 'long-run',
      severity: 'Warning',
      longRun: {
        runningMinutes: 121,
        usualMinutes: 40,
        limitMinutes: 120,
        basis: 'median',
        startedAt: at(180),
      },
    });
    expect(h.poll({ now: 400, replica: [hung] })).toEqual([]); // not repeated
    const ended = h.poll({
      now: 420,
      replica: [jobRun({ n: 4, start: 180, end: 410, result: 'Failed' }, ['Failed'])],
    });
    expect(ended.map((e) => e.event)).toEqual(['long-run-ended']);
    expect(ended[0]).toMatchObject({ severity: 'Success', longRun: { runningMinutes: 230 } }); // to its end, 410
  });

  it('maxRunDuration by glob wins over the median', () => {
    const h = new Harness(settings({ stale: 'off', maxRunDuration: { 'sql*': 60 } }));
    h.poll({ now: 170, replica: history });
    expect(h.poll({ now: 241, replica: [hung] })).toMatchObject([
      { event: 'long-run', longRun: { limitMinutes: 60, basis: 'configured', usualMinutes: 40 } },
    ]);
  });

  it('too few runs known, and nothing configured: nothing said', () => {
    const h = new Harness(settings({ stale: 'off' }));
    h.poll({ now: 50, replica: [history[0] ?? hung] });
    expect(h.poll({ now: 2000, replica: [jobRun({ n: 4, start: 100 })] })).toEqual([]);
  });
});

describe("a CDP policy's RPO", () => {
  const policy = cdpSession({ n: 1, start: 0, end: null });
  const sync = (reason: string) =>
    cdpTask(policy, { vm: 'web01', n: 1, start: 0, end: 30, result: 'Warning', reason });
  const rpo = (seconds: number): Schedule => ({
    ...schedule(),
    kind: 'cdp-policy',
    uid: policy.policyUid,
    rpo: { seconds },
  });

  it('is in every event about the policy, with whether the run breached it', () => {
    const h = new Harness(settings({ retryHold: 0 }));
    const [event] = h.poll({
      now: 40,
      cdp: [{ session: policy, tasks: [sync('RPO violated for 4 minutes')] }],
      schedules: [rpo(15)],
    });
    expect(event).toMatchObject({ severity: 'Warning', rpo: { seconds: 15, breached: true } });
    const g = new Harness(settings({ retryHold: 0 }));
    const [other] = g.poll({ now: 40, cdp: [{ session: policy, tasks: [sync('Proxy busy')] }] });
    expect(other?.rpo).toEqual({ seconds: null, breached: false });
  });

  it('rpoBreach "Failed" raises a breach to Failed; other warnings stay Warning', () => {
    const config = settings({ retryHold: 0, rpoBreach: 'Failed' });
    const [raised] = new Harness(config).poll({
      now: 40,
      cdp: [{ session: policy, tasks: [sync('Recovery point objective exceeded')] }],
    });
    expect(raised).toMatchObject({ severity: 'Failed', rpo: { breached: true } });
    const [kept] = new Harness(config).poll({
      now: 40,
      cdp: [{ session: policy, tasks: [sync('Proxy busy')] }],
    });
    expect(kept?.severity).toBe('Warning');
  });
});
