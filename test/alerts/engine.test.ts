import { describe, expect, it } from 'vitest';
import { decidePoll } from '../../functions/alerts/engine.ts';
import { at, brief, cdpSession, cdpTask, EM, Harness, jobRun, settings } from '../support/alerts-data.ts';

const fail = (n: number, start: number, end: number, extra: object = {}) =>
  jobRun({ n, start, end, result: 'Failed', ...extra }, [
    'Failed',
    'Success',
    'Failed',
    'Success',
    'Success',
  ]);
const ok = (n: number, start: number, end: number, extra: object = {}) =>
  jobRun({ n, start, end, result: 'Success', ...extra }, ['Success']);
const warn = (n: number, start: number, end: number, extra: object = {}) =>
  jobRun({ n, start, end, result: 'Warning', ...extra }, ['Warning', 'Success']);

describe('failure and retry hold', () => {
  it('holds a failed run for retryHold minutes, then sends it with VMs, reasons and counts', () => {
    const h = new Harness();
    expect(h.poll({ now: 15, replica: [fail(1, 0, 10)] })).toEqual([]);
    const [event, ...rest] = h.poll({ now: 26, replica: [fail(1, 0, 10)] });
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      version: 1,
      event: 'failure',
      severity: 'Failed',
      alertSeverity: 'Failed',
      detectedAt: at(26),
      subject: {
        kind: 'replica-job',
        name: 'SQL Replication',
        backupServer: 'srv02.tech.local',
        enterpriseManager: EM,
      },
      session: { result: 'Failed', state: 'Stopped', isRetry: false, retries: 0, endTime: at(10) },
      counts: { total: 5, failed: 2, warning: 0, success: 3 },
      failingSince: at(10),
      failedRuns: 1,
    });
    expect(event?.vms?.map((v) => [v.name, v.result, v.reason])).toEqual([
      ['sql-vm-01', 'Failed', 'Error: Failed to create VM snapshot (Failed, VM 1)'],
      ['sql-vm-03', 'Failed', 'Error: Failed to create VM snapshot (Failed, VM 3)'],
    ]);
  });

  it.each([
    [
      'a retry chain that recovers sends nothing',
      [fail(1, 0, 10), ok(2, 20, 30, { isRetry: true })],
      [12, 25, 35, 90],
      [],
    ],
    [
      'a retry chain that fails sends one event with the retry count',
      [fail(1, 0, 10), fail(2, 20, 30, { isRetry: true }), fail(3, 40, 50, { isRetry: true })],
      [12, 25, 35, 45, 55, 66, 90],
      ['failure:Failed:3'],
    ],
    [
      'a newer session still running keeps holding past retryHold',
      [fail(1, 0, 10), ok(2, 20, 60, { isRetry: true })],
      [12, 30, 45, 65],
      [],
    ],
    [
      'a new run that starts after the hold expired does not recover the earlier failure',
      [fail(1, 0, 10), ok(2, 60, 70)],
      [12, 75],
      ['failure:Failed:1', 'resolved:Success:1'],
    ],
  ])('%s', (_name, runs, polls, expected) => {
    const h = new Harness();
    for (const now of polls) {
      // The poller sees each session as it was at `now`: running until it ends, unseen before it starts.
      const seen = runs
        .filter((r) => Date.parse(r.session.creationTime) <= Date.parse(at(now)))
        .map((r) => (Date.parse(r.session.endTime ?? '') <= Date.parse(at(now)) ? r : running(r)));
      h.poll({ now, replica: seen });
    }
    expect(brief(h.sent)).toEqual(expected);
  });

  it('a run that started after the hold ended does not extend it', () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    expect(brief(h.poll({ now: 31, replica: [running(ok(2, 30, 60))] }))).toEqual(['failure:Failed:1']);
  });

  it('reports the retry count and the chain start on the event', () => {
    const h = new Harness();
    h.poll({
      now: 66,
      replica: [fail(1, 0, 10), fail(2, 20, 30, { isRetry: true }), fail(3, 40, 50, { isRetry: true })],
    });
    expect(h.sent[0]?.session).toMatchObject({ isRetry: true, retries: 2, endTime: at(50) });
    expect(h.sent[0]?.failingSince).toBe(at(10));
  });

  it('retryHold 0 sends every failed run at once, even with a retry running', () => {
    const h = new Harness(settings({ retryHold: 0 }));
    expect(
      brief(h.poll({ now: 11, replica: [fail(1, 0, 10), running(ok(2, 11, 30, { isRetry: true }))] })),
    ).toEqual(['failure:Failed:1']);
  });

  it('a session first seen running is decided when it finishes', () => {
    const h = new Harness();
    expect(h.poll({ now: 5, replica: [running(fail(1, 0, 10))] })).toEqual([]);
    expect(h.poll({ now: 12, replica: [fail(1, 0, 10)] })).toEqual([]);
    expect(brief(h.poll({ now: 30, replica: [] }))).toEqual(['failure:Failed:1']);
  });

  it.each([
    ['ends Stopped with result None', { state: 'Stopped', result: 'None' }],
    ['ends Stopped with an unknown result', { state: 'Stopped', result: 'Cancelled' }],
  ])('a retry seen running that %s holds the failure no longer', (_name, end) => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    expect(h.poll({ now: 21, replica: [running(ok(2, 20, 35, { isRetry: true }))] })).toEqual([]);
    const stopped = jobRun({ n: 2, start: 20, end: 35, isRetry: true, ...end });
    expect(brief(h.poll({ now: 40, replica: [stopped] }))).toEqual(['failure:Failed:1']);
  });

  it('a retry seen running that is no longer reported holds the failure no longer', () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    expect(h.poll({ now: 21, replica: [running(ok(2, 20, 35, { isRetry: true }))] })).toEqual([]);
    expect(h.poll({ now: 30, replica: [running(ok(2, 20, 35, { isRetry: true }))] })).toEqual([]);
    expect(brief(h.poll({ now: 40 }))).toEqual(['failure:Failed:1']);
  });

  it('carries the retry count across polls', () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    h.poll({ now: 32, replica: [fail(2, 20, 30, { isRetry: true })] });
    h.poll({ now: 52, replica: [fail(3, 40, 50, { isRetry: true })] });
    h.poll({ now: 70 });
    expect(h.sent.map((e) => [e.event, e.session?.retries, e.failedRuns])).toEqual([['failure', 2, 3]]);
  });

  it("a Failed run whose retry ends Warning is reported as the chain's latest result", () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    const [event] = h.poll({ now: 50, replica: [warn(2, 20, 30, { isRetry: true })] });
    expect(event).toMatchObject({ event: 'failure', severity: 'Warning', failedRuns: 2 });
    expect(event?.session).toMatchObject({ result: 'Warning', retries: 1, endTime: at(30) });
    // A later Failed run is then a rise in severity, sent at once.
    expect(brief(h.poll({ now: 71, replica: [fail(3, 60, 70)] }))).toEqual(['failure:Failed:3']);
  });

  it.each([
    ['Stopped with result None', { state: 'Stopped', result: 'None' }],
    ['an unknown state', { state: 'Postprocessing', result: 'Failed' }],
    ['an unknown result', { state: 'Stopped', result: 'Cancelled' }],
  ])('a session in %s waits', (_name, odd) => {
    const h = new Harness();
    h.poll({ now: 100, replica: [jobRun({ n: 1, start: 0, end: 10, ...odd }, ['Failed'])] });
    expect(h.sent).toEqual([]);
  });
});

describe('open alerts', () => {
  it('Warning then Failed: the rise is sent at once, not held', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [warn(1, 0, 10)] });
    expect(brief(h.poll({ now: 71, replica: [fail(2, 60, 70)] }))).toEqual(['failure:Failed:2']);
    expect(brief(h.poll({ now: 140, replica: [warn(3, 120, 130)] }))).toEqual([]);
    expect(brief(h.poll({ now: 200, replica: [fail(4, 180, 190)] }))).toEqual([]);
  });

  it('failed then success: one resolved with how long and how many failed runs', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0, 10)] });
    h.poll({ now: 75, replica: [fail(2, 60, 70)] });
    const [resolved] = h.poll({ now: 135, replica: [ok(3, 120, 130)] });
    expect(resolved).toMatchObject({
      event: 'resolved',
      severity: 'Success',
      alertSeverity: 'Failed',
      failingSince: at(10),
      failedRuns: 2,
      session: { endTime: at(130), result: 'Success' },
    });
    expect(h.poll({ now: 200, replica: [ok(4, 180, 190)] })).toEqual([]);
  });

  it('sends a reminder with the count of failed runs once per repeat interval', () => {
    const h = new Harness();
    for (let hour = 0; hour < 50; hour++)
      h.poll({ now: hour * 60 + 30, replica: [fail(hour + 1, hour * 60, hour * 60 + 10)] });
    expect(brief(h.sent)).toEqual(['failure:Failed:1', 'reminder:Failed:25', 'reminder:Failed:49']);
    expect(new Set(h.sent.map((e) => e.id)).size).toBe(3);
    expect(h.sent.filter((e) => 'quietSince' in e)).toEqual([]);
  });

  it('a reminder reports the latest failed run', () => {
    const h = new Harness();
    for (let hour = 0; hour < 25; hour++)
      h.poll({ now: hour * 60 + 30, replica: [fail(hour + 1, hour * 60, hour * 60 + 10)] });
    const reminder = h.sent.find((e) => e.event === 'reminder');
    expect(reminder?.session).toMatchObject({ uid: fail(25, 0, 0).session.uid, endTime: at(24 * 60 + 10) });
  });

  it('a rise in severity restarts the reminder clock', () => {
    const h = new Harness();
    for (let hour = 0; hour < 40; hour++) {
      const run = (hour < 10 ? warn : fail)(hour + 1, hour * 60, hour * 60 + 10);
      h.poll({ now: hour * 60 + 30, replica: [run] });
    }
    expect(brief(h.sent)).toEqual(['failure:Warning:1', 'failure:Failed:11', 'reminder:Failed:35']);
  });

  // This rule used to be "no reminder without new failed runs", which left a failing job that stopped running
  // silent for ever; alerting.md promises a reminder once per `repeat` while a subject stays open.
  it('a failing job that stops running is still reminded once per repeat, saying since when no run finished', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0, 10)] });
    expect(h.poll({ now: 1440 + 29 })).toEqual([]);
    // One run known: it would go stale after 26 h, so the first day's reminder does not yet call the job quiet.
    const [first] = h.poll({ now: 1440 + 30 });
    expect(first).toMatchObject({ event: 'reminder', failedRuns: 1 });
    expect(first).not.toHaveProperty('quietSince');
    for (const day of [2, 3, 30]) {
      const events = h.poll({ now: day * 1440 + 30 });
      expect(brief(events)).toEqual(['reminder:Failed:1']);
      expect(events[0]).toMatchObject({ quietSince: at(10), session: { endTime: at(10) } });
    }
    const again = fail(2, 31 * 1440, 31 * 1440 + 10);
    const [reminder] = h.poll({ now: 31 * 1440 + 30, replica: [again] });
    expect(brief(reminder ? [reminder] : [])).toEqual(['reminder:Failed:2']);
    expect(reminder).not.toHaveProperty('quietSince');
    expect(new Set(h.sent.map((e) => e.id)).size).toBe(h.sent.length);
  });

  it('a reminder while a session runs, or within the stale threshold, is not quiet', () => {
    // Hourly failed runs (stale after 3 h), reminders hourly; then a run that keeps running for 20 h.
    const h = new Harness(settings({ repeat: 60 }));
    for (let hour = 0; hour < 5; hour++)
      h.poll({ now: hour * 60 + 30, replica: [fail(hour + 1, hour * 60, hour * 60 + 10)] });
    const slow = running(fail(6, 5 * 60, 30 * 60));
    for (let t = 5 * 60 + 30; t < 25 * 60; t += 60) h.poll({ now: t, replica: [slow] });
    const reminders = h.sent.filter((e) => e.event === 'reminder');
    expect(reminders.length).toBeGreaterThan(15);
    expect(reminders.filter((e) => 'quietSince' in e)).toEqual([]);
    // Within the threshold: two hours after the last run of an hourly job, a reminder is not quiet either.
    const between = new Harness(settings({ repeat: 60 }));
    for (let hour = 0; hour < 5; hour++)
      between.poll({ now: hour * 60 + 30, replica: [fail(hour + 1, hour * 60, hour * 60 + 10)] });
    const [early] = between.poll({ now: 6 * 60 + 15 });
    expect(early).toMatchObject({ event: 'reminder' });
    expect(early).not.toHaveProperty('quietSince');
    expect(between.poll({ now: 8 * 60 })[0]?.quietSince).toBe(at(4 * 60 + 10));
  });

  it('a reminder after a run that finished since the last notice is not quiet', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0, 10)] });
    h.poll({ now: 600, replica: [fail(2, 580, 590)] });
    const [reminder] = h.poll({ now: 1470 });
    expect(reminder).toMatchObject({ event: 'reminder', failedRuns: 2 });
    expect(reminder).not.toHaveProperty('quietSince');
    // The next interval had no run: that reminder says so.
    expect(h.poll({ now: 2910 })[0]?.quietSince).toBe(at(590));
  });

  it.each([
    ['muted', { muted: ['SQL Replication'] }],
    ['excluded', { exclude: ['SQL*'] }],
  ])('an open alert of a job later %s is closed without a message', (_name, change) => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0, 10)] });
    expect(h.poll({ now: 90, replica: [fail(2, 60, 70)], settings: settings(change) })).toEqual([]);
    expect(h.job()).toMatchObject({ alert: null, hold: null });
    // Watched again: a success has nothing to resolve, and a new failure is a new alert.
    expect(h.poll({ now: 150, replica: [ok(3, 120, 130)] })).toEqual([]);
    expect(brief(h.poll({ now: 210, replica: [fail(4, 180, 190)] }))).toEqual(['failure:Failed:1']);
  });

  it('repeat 0 turns reminders off, also for a job that stopped running', () => {
    const h = new Harness(settings({ repeat: 0 }));
    for (let hour = 0; hour < 50; hour++)
      h.poll({ now: hour * 60 + 30, replica: [fail(hour + 1, hour * 60, hour * 60 + 10)] });
    for (const day of [3, 4, 10]) h.poll({ now: day * 1440 });
    expect(brief(h.sent)).toEqual(['failure:Failed:1']);
  });

  it('with alertOn ["Failed"] a Warning neither alerts nor keeps a failure open', () => {
    const h = new Harness(settings({ alertOn: ['Failed'] }));
    h.poll({ now: 30, replica: [warn(1, 0, 10)] });
    h.poll({ now: 90, replica: [fail(2, 60, 70)] });
    h.poll({ now: 150, replica: [warn(3, 120, 130)] });
    expect(brief(h.sent)).toEqual(['failure:Failed:1', 'resolved:Success:1']);
  });
});

describe('stale', () => {
  it('with fewer than 3 runs known, 26 hours after the last run ended; sent once; resolved by a run', () => {
    const h = new Harness();
    h.poll({ now: 15, replica: [ok(1, 0, 10)] });
    expect(h.poll({ now: 10 + 26 * 60 })).toEqual([]);
    const [stale] = h.poll({ now: 11 + 26 * 60 });
    expect(stale).toMatchObject({
      event: 'stale',
      severity: 'Warning',
      failingSince: at(10 + 26 * 60),
      stale: { lastRunEnd: at(10), thresholdMinutes: 26 * 60, basis: 'few-runs' },
      session: { endTime: at(10) },
    });
    expect(h.poll({ now: 40 * 60 })).toEqual([]);
    expect(brief(h.poll({ now: 48 * 60, replica: [ok(2, 47 * 60, 47 * 60 + 10)] }))).toEqual([
      'resolved:Success:0',
    ]);
  });

  it.each([
    ['hourly runs: 3 × the median gap', 60, 180],
    ['runs every 10 minutes: at least 2 hours', 10, 120],
    ['daily runs', 24 * 60, 72 * 60],
  ])('%s', (_name, gap, threshold) => {
    const h = new Harness();
    const runs = Array.from({ length: 8 }, (_, i) => ok(i + 1, i * gap, i * gap + 5));
    const lastEnd = 7 * gap + 5;
    h.poll({ now: lastEnd + 1, replica: runs });
    expect(h.poll({ now: lastEnd + threshold })).toEqual([]);
    expect(h.poll({ now: lastEnd + threshold + 1 })[0]?.stale).toEqual({
      lastRunEnd: at(lastEnd),
      thresholdMinutes: threshold,
      basis: 'median',
    });
  });

  it('a retry does not count as a scheduled run for the median', () => {
    const h = new Harness();
    const runs = [0, 1, 2, 3].flatMap((d) => [
      fail(d * 10 + 1, d * 1440, d * 1440 + 5),
      fail(d * 10 + 2, d * 1440 + 15, d * 1440 + 20, { isRetry: true }),
    ]);
    h.poll({ now: 3 * 1440 + 60, replica: runs });
    const state = [...h.store.values()].find((s) => s.kind === 'replica-job');
    expect(state && 'starts' in state ? state.starts.length : 0).toBe(4);
  });

  it.each([
    ['2 runs known: 26 hours', 2, 26 * 60, 'few-runs'],
    ['3 runs known: 3 × the median gap', 3, 180, 'median'],
  ])('%s', (_name, count, threshold, basis) => {
    const h = new Harness();
    const lastEnd = (count - 1) * 60 + 5;
    h.poll({
      now: lastEnd + 1,
      replica: Array.from({ length: count }, (_, i) => ok(i + 1, i * 60, i * 60 + 5)),
    });
    expect(h.poll({ now: lastEnd + threshold })).toEqual([]);
    expect(h.poll({ now: lastEnd + threshold + 1 })[0]?.stale).toMatchObject({
      thresholdMinutes: threshold,
      basis,
    });
  });

  it.each([
    ['a configured threshold', { stale: 60 }, 71, 'configured'],
    ['a per-job override by name', { staleOverrides: { 'SQL Replication': 30 } }, 41, 'configured'],
    ['a per-job override by uid', { staleOverrides: { [ok(1, 0, 0).session.jobUid]: 30 } }, 41, 'configured'],
  ] as const)('%s', (_name, overrides, staleAt, basis) => {
    const h = new Harness(settings(overrides));
    h.poll({ now: 11, replica: [ok(1, 0, 10)] });
    expect(h.poll({ now: staleAt - 1 })).toEqual([]);
    expect(h.poll({ now: staleAt })[0]?.stale?.basis).toBe(basis);
  });

  it('is not checked while a failure is held', () => {
    const h = new Harness(settings({ stale: 60 }));
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    // A retry runs for hours: the failure stays held (at most 24 h), and meanwhile the job is not stale.
    const retry = running(ok(2, 20, 600, { isRetry: true }));
    for (const now of [30, 75, 120]) expect(h.poll({ now, replica: [retry] })).toEqual([]);
  });

  it('a stale job muted and unmuted goes stale again with a new id', () => {
    const h = new Harness();
    h.poll({ now: 11, replica: [ok(1, 0, 10)] });
    const [first] = h.poll({ now: 27 * 60 });
    expect(first?.event).toBe('stale');
    expect(h.poll({ now: 28 * 60, settings: settings({ muted: ['SQL Replication'] }) })).toEqual([]);
    const [again] = h.poll({ now: 29 * 60 });
    expect(again?.event).toBe('stale');
    expect(again?.id).not.toBe(first?.id);
    // Its run resolves it once; a second round (stale, muted, unmuted) gives yet other ids.
    expect(brief(h.poll({ now: 30 * 60, replica: [ok(2, 29 * 60, 29 * 60 + 10)] }))).toEqual([
      'resolved:Success:0',
    ]);
    h.poll({ now: 57 * 60 });
    h.poll({ now: 58 * 60, settings: settings({ muted: ['SQL Replication'] }) });
    h.poll({ now: 59 * 60 });
    expect(brief(h.sent)).toEqual([
      'stale:Warning',
      'stale:Warning',
      'resolved:Success:0',
      'stale:Warning',
      'stale:Warning',
    ]);
    expect(new Set(h.sent.map((e) => e.id)).size).toBe(h.sent.length);
  });

  it('"off" turns stale detection off', () => {
    const h = new Harness(settings({ stale: 'off' }));
    h.poll({ now: 11, replica: [ok(1, 0, 10)] });
    expect(h.poll({ now: 10 * 24 * 60 })).toEqual([]);
  });

  it('a stale job whose next run fails and is then fixed gets exactly one resolved', () => {
    const h = new Harness();
    h.poll({ now: 11, replica: [ok(1, 0, 10)] });
    h.poll({ now: 27 * 60 });
    h.poll({ now: 28 * 60 + 30, replica: [fail(2, 28 * 60, 28 * 60 + 10)] });
    h.poll({ now: 29 * 60 + 30, replica: [ok(3, 29 * 60, 29 * 60 + 10)] });
    expect(brief(h.sent)).toEqual(['stale:Warning', 'failure:Failed:1', 'resolved:Success:1']);
  });
});

describe('source unreachable', () => {
  const down = {
    ok: false as const,
    error: { kind: 'credentials', message: 'Enterprise Manager "em-prod": rejected.' },
  };

  it('after N consecutive failed polls, one event with the cause; resolved when a poll succeeds', () => {
    const h = new Harness();
    expect(h.poll({ now: 5, outcome: down })).toEqual([]);
    expect(h.poll({ now: 10, outcome: down })).toEqual([]);
    const [event] = h.poll({ now: 15, outcome: down });
    expect(event).toMatchObject({
      event: 'source-unreachable',
      severity: 'Failed',
      subject: { kind: 'enterprise-manager', uid: EM, name: EM, backupServer: null, enterpriseManager: EM },
      failingSince: at(5),
      source: { failedPolls: 3, cause: down.error },
    });
    expect(h.poll({ now: 20, outcome: down })).toEqual([]);
    expect(h.poll({ now: 25 })[0]).toMatchObject({
      event: 'resolved',
      alertSeverity: 'Failed',
      failingSince: at(5),
      source: { failedPolls: 4 },
    });
    expect(h.poll({ now: 30 })).toEqual([]);
  });

  it.each([1, 5])('with unreachableAfter %i, after that many failed polls', (n) => {
    const h = new Harness(settings({ unreachableAfter: n }));
    for (let i = 1; i < n; i++) expect(h.poll({ now: i * 5, outcome: down })).toEqual([]);
    expect(brief(h.poll({ now: n * 5, outcome: down }))).toEqual(['source-unreachable:Failed']);
  });

  it('muting an unreachable EM closes its notice without a message', () => {
    const h = new Harness();
    for (const now of [5, 10, 15]) h.poll({ now, outcome: down });
    expect(h.poll({ now: 20, outcome: down, settings: settings({ muted: [EM] }) })).toEqual([]);
    expect(h.poll({ now: 25 })).toEqual([]);
  });

  it('unmuted, an EM starts counting afresh: a new outage is a new notice after N polls', () => {
    const h = new Harness();
    const first = h.poll({ now: 5, outcome: down }).concat(h.poll({ now: 10, outcome: down }));
    const notice = h.poll({ now: 15, outcome: down });
    expect(first).toEqual([]);
    h.poll({ now: 20, outcome: down, settings: settings({ muted: [EM] }) });
    expect(h.poll({ now: 25, outcome: down })).toEqual([]); // unmuted: one failed poll is not three
    h.poll({ now: 30, outcome: down });
    const again = h.poll({ now: 35, outcome: down });
    expect(brief(again)).toEqual(['source-unreachable:Failed']);
    expect(again[0]?.id).not.toBe(notice[0]?.id);
  });

  it('fewer failed polls than the threshold send nothing; a repeated poll is not counted twice', () => {
    const h = new Harness();
    h.poll({ now: 5, outcome: down });
    h.poll({ now: 10, outcome: down });
    h.poll({ now: 10, outcome: down });
    h.poll({ now: 8, outcome: down });
    h.poll({ now: 15 });
    expect(h.sent).toEqual([]);
  });

  it('while the EM is unreachable no job hold expires and nothing goes stale', () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    expect(h.poll({ now: 60 * 30, outcome: down })).toEqual([]);
  });
});

describe('first sight of a subject', () => {
  it('an incident that ended before the first poll only seeds the state', () => {
    const h = new Harness();
    expect(h.poll({ now: 75, replica: [fail(1, 0, 10), ok(2, 60, 70)] })).toEqual([]);
    expect(h.job()).toMatchObject({
      lastRun: { endTime: at(70) },
      starts: [at(0), at(60)],
      alert: null,
      hold: null,
    });
  });

  it('failures after the last success alert', () => {
    const h = new Harness();
    const events = h.poll({ now: 200, replica: [fail(1, 0, 10), ok(2, 60, 70), fail(3, 120, 130)] });
    expect(brief(events)).toEqual(['failure:Failed:1']);
    expect(events[0]?.failingSince).toBe(at(130));
  });

  it('a CDP policy session that failed and a later one that succeeded send nothing', () => {
    const h = new Harness();
    const failed = cdpSession({ n: 1, start: 0, end: 600, result: 'Failed' });
    const fine = cdpSession({ n: 2, start: 600, end: 1200, result: 'Success' });
    const cdp = [failed, fine].map((session) => ({ session, tasks: [] }));
    expect(h.poll({ now: 1210, cdp })).toEqual([]);
  });
});

describe('filters and lookback', () => {
  it('on first sight, runs older than the lookback are state, not alerts', () => {
    const h = new Harness(settings({ lookback: 120 }));
    h.poll({ now: 5 * 60, replica: [fail(1, 0, 10)] });
    expect(h.sent).toEqual([]);
    h.poll({ now: 6 * 60, replica: [ok(2, 5 * 60, 5 * 60 + 4)] });
    expect(h.sent).toEqual([]);
  });

  it('on first sight, runs within the lookback alert', () => {
    const h = new Harness(settings({ lookback: 120 }));
    expect(brief(h.poll({ now: 100, replica: [fail(1, 0, 10)] }))).toEqual(['failure:Failed:1']);
  });

  it.each([
    ['include patterns', { include: ['Replica Job *'] }, ['Replica Job 2']],
    ['exclude patterns', { exclude: ['sql*'] }, ['Replica Job 2']],
    ['muted names', { muted: ['sql replication'] }, ['Replica Job 2']],
    ['muted uids', { muted: ['urn:veeam:Job:00000002-0000-4000-8000-000000000000'] }, ['SQL Replication']],
  ])('%s', (_name, overrides, expected) => {
    const h = new Harness(settings(overrides));
    h.poll({
      now: 30,
      replica: [fail(1, 0, 10), jobRun({ job: 2, n: 1, start: 0, end: 10, result: 'Failed' })],
    });
    expect(h.sent.map((e) => e.subject.name)).toEqual(expected);
  });

  it('a muted EM sends no unreachable event', () => {
    const h = new Harness(settings({ muted: [EM] }));
    for (const now of [5, 10, 15, 20])
      h.poll({ now, outcome: { ok: false, error: { kind: 'timeout', message: 'x' } } });
    expect(h.sent).toEqual([]);
  });
});

describe('idempotence', () => {
  it('deciding the same input again sends nothing and changes no state', () => {
    const h = new Harness();
    const input = { now: 30, replica: [fail(1, 0, 10), ok(2, 0, 5, { job: 2 })] };
    expect(h.poll(input)).toHaveLength(1);
    const again = decidePoll({
      em: EM,
      now: at(30),
      outcome: { ok: true },
      replicaRuns: input.replica,
      cdpRuns: [],
      states: [...h.store.values()],
      settings: h.config,
    });
    expect(again).toEqual({ events: [], states: [] });
  });

  it('overlapping polls that re-read finished sessions send nothing new', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0, 10)] });
    h.poll({ now: 35, replica: [fail(1, 0, 10)] });
    h.poll({ now: 75, replica: [fail(1, 0, 10), ok(2, 60, 70)] });
    h.poll({ now: 80, replica: [ok(2, 60, 70)] });
    expect(brief(h.sent)).toEqual(['failure:Failed:1', 'resolved:Success:1']);
  });

  it('a clock stepping back never sends twice and never throws', () => {
    const h = new Harness();
    h.poll({ now: 30, replica: [fail(1, 0, 10)] });
    h.poll({ now: 20, replica: [fail(1, 0, 10)] });
    h.poll({ now: -500, replica: [fail(1, 0, 10)] });
    h.poll({ now: 3000, replica: [fail(2, 2900, 2910)] });
    h.poll({ now: 1000, replica: [fail(2, 2900, 2910)] });
    expect(brief(h.sent)).toEqual(['failure:Failed:1', 'reminder:Failed:2']);
  });

  it('state expires 400 days after the last run, open alert or not, but not while a failure is held', () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [fail(1, 0, 10)] });
    expect(h.job()?.expiresAt).toBeNull();
    h.poll({ now: 30 });
    expect(h.job()?.alert).not.toBeNull();
    expect(h.job()?.expiresAt).toBe(Date.parse(at(10)) / 1000 + 400 * 24 * 3600);
  });

  it('event ids are deterministic: the same subject, session and kind give the same id', () => {
    const a = new Harness();
    const b = new Harness();
    a.poll({ now: 30, replica: [fail(1, 0, 10)] });
    b.poll({ now: 15, replica: [fail(1, 0, 10)] });
    b.poll({ now: 45 });
    expect(a.sent[0]?.id).toMatch(/^[0-9a-f]{32}$/);
    expect(b.sent[0]?.id).toBe(a.sent[0]?.id);
  });
});

describe('CDP policies', () => {
  /** A policy session running since 0: what its VM syncs say is what these tests vary. */
  const ongoing = cdpSession({ n: 1, start: 0, end: null });
  /** The same session, ended Failed at 600. */
  const failedSession = cdpSession({ n: 1, start: 0, end: 600, result: 'Failed' });
  const HOST_DOWN = 'Target host esx03 is not available';

  it('failed VM syncs of a running policy session are grouped into one event', () => {
    const h = new Harness();
    const tasks = ['web01', 'web02', 'db01'].map((vm, i) =>
      cdpTask(ongoing, {
        vm,
        n: 1,
        start: 0,
        end: 100 + i,
        result: 'Failed',
        reason: `RPO violated for ${vm}`,
      }),
    );
    expect(h.poll({ now: 105, cdp: [{ session: ongoing, tasks }] })).toEqual([]);
    const events = h.poll({ now: 120, cdp: [{ session: ongoing, tasks }] });
    expect(brief(events)).toEqual(['failure:Failed:1']);
    expect(events[0]).toMatchObject({
      subject: { kind: 'cdp-policy', name: 'CDP Policy' },
      counts: { total: 3, failed: 3 },
    });
    expect(events[0]?.vms?.map((v) => v.reason)).toEqual([
      'RPO violated for db01',
      'RPO violated for web01',
      'RPO violated for web02',
    ]);
    const more = [...tasks, cdpTask(ongoing, { vm: 'app01', n: 1, start: 0, end: 130, result: 'Failed' })];
    expect(h.poll({ now: 150, cdp: [{ session: ongoing, tasks: more }] })).toEqual([]);
    // Its end is no new failed run, but Veeam's FailureMessage (unknown while it ran) is sent at once.
    const ended = cdpSession({
      n: 1,
      start: 0,
      end: 24 * 60,
      result: 'Failed',
      failureMessage: 'Policy failed: 4 VMs not protected',
    });
    const [explained, ...none] = h.poll({ now: 24 * 60 + 5, cdp: [{ session: ended, tasks: more }] });
    expect(none).toEqual([]);
    expect(explained).toMatchObject({
      event: 'failure',
      severity: 'Failed',
      failedRuns: 1,
      session: { uid: ended.uid, state: 'Stopped', failureMessage: 'Policy failed: 4 VMs not protected' },
      counts: { total: 4, failed: 4 },
    });
    expect(explained?.id).not.toBe(events[0]?.id);
    const next = cdpSession({ n: 2, start: 24 * 60, end: 48 * 60, result: 'Success' });
    expect(brief(h.poll({ now: 48 * 60 + 5, cdp: [{ session: next, tasks: [] }] }))).toEqual([
      'resolved:Success:1',
    ]);
  });

  it('VM syncs that recover within the hold send nothing; a later recovery resolves', () => {
    const h = new Harness();
    const bad = cdpTask(ongoing, { vm: 'web01', n: 1, start: 0, end: 100, result: 'Failed' });
    const good = cdpTask(ongoing, { vm: 'web01', n: 2, start: 100, end: 105, result: 'Success' });
    h.poll({ now: 101, cdp: [{ session: ongoing, tasks: [bad] }] });
    h.poll({ now: 110, cdp: [{ session: ongoing, tasks: [bad, good] }] });
    h.poll({ now: 200, cdp: [{ session: ongoing, tasks: [bad, good] }] });
    expect(h.sent).toEqual([]);
    const bad2 = cdpTask(ongoing, { vm: 'web01', n: 3, start: 300, end: 310, result: 'Failed' });
    const good2 = cdpTask(ongoing, { vm: 'web01', n: 4, start: 400, end: 410, result: 'Success' });
    h.poll({ now: 330, cdp: [{ session: ongoing, tasks: [bad, good, bad2] }] });
    h.poll({ now: 420, cdp: [{ session: ongoing, tasks: [bad, good, bad2, good2] }] });
    expect(brief(h.sent)).toEqual(['failure:Failed:1', 'resolved:Success:1']);
  });

  it.each([
    ['without a FailureMessage', null, []],
    ['a Warning with a FailureMessage below a Failed alert', 'Some VMs lag', ['failure:Warning:1']],
  ])('a policy session reported while running that ends %s', (_name, message, expected) => {
    const h = new Harness(settings({ retryHold: 0 }));
    const tasks = [cdpTask(ongoing, { vm: 'web01', n: 1, start: 0, end: 100, result: 'Failed' })];
    expect(brief(h.poll({ now: 101, cdp: [{ session: ongoing, tasks }] }))).toEqual(['failure:Failed:1']);
    const ended = cdpSession({
      n: 1,
      start: 0,
      end: 600,
      result: message ? 'Warning' : 'Failed',
      failureMessage: message,
    });
    const events = h.poll({ now: 605, cdp: [{ session: ended, tasks }] });
    expect(brief(events)).toEqual(expected);
    expect(events.map((e) => e.alertSeverity)).toEqual(expected.map(() => 'Failed'));
    // Sent once: the same session re-read sends nothing more.
    expect(h.poll({ now: 610, cdp: [{ session: ended, tasks }] })).toEqual([]);
  });

  it('the FailureMessage of a later session during an open alert waits for the reminder', () => {
    const h = new Harness(settings({ retryHold: 0 }));
    h.poll({ now: 601, cdp: [{ session: failedSession, tasks: [] }] });
    const s = cdpSession({ n: 2, start: 600, end: null });
    const tasks = [cdpTask(s, { vm: 'web01', n: 1, start: 600, end: 700, result: 'Failed' })];
    h.poll({ now: 701, cdp: [{ session: s, tasks }] });
    const ended = cdpSession({ n: 2, start: 600, end: 1200, result: 'Failed', failureMessage: HOST_DOWN });
    expect(h.poll({ now: 1201, cdp: [{ session: ended, tasks }] })).toEqual([]);
    expect(h.poll({ now: 2050 })[0]).toMatchObject({
      event: 'reminder',
      session: { failureMessage: HOST_DOWN },
    });
  });

  it('a failed policy session carries its FailureMessage', () => {
    const h = new Harness();
    const s = cdpSession({ n: 1, start: 0, end: 600, result: 'Failed', failureMessage: HOST_DOWN });
    h.poll({ now: 620, cdp: [{ session: s, tasks: [] }] });
    expect(h.sent[0]).toMatchObject({ event: 'failure', session: { failureMessage: HOST_DOWN } });
  });

  it('a rise from Warning to Failed first reported by the same VM sync has its own id', () => {
    const h = new Harness();
    const warned = cdpTask(ongoing, { vm: 'web01', n: 1, start: 0, end: 100, result: 'Warning' });
    const failed = cdpTask(ongoing, { vm: 'db01', n: 1, start: 0, end: 130, result: 'Failed' });
    h.poll({ now: 101, cdp: [{ session: ongoing, tasks: [warned] }] });
    h.poll({ now: 120, cdp: [{ session: ongoing, tasks: [warned] }] });
    h.poll({ now: 135, cdp: [{ session: ongoing, tasks: [warned, failed] }] });
    expect(brief(h.sent)).toEqual(['failure:Warning:1', 'failure:Failed:1']);
    expect(new Set(h.sent.map((e) => e.id)).size).toBe(2);
  });

  it('switching CDP off closes an open CDP alert without a message', () => {
    const h = new Harness();
    h.poll({ now: 620, cdp: [{ session: failedSession, tasks: [] }] });
    expect(h.poll({ now: 700, settings: settings({ cdp: false }) })).toEqual([]);
    expect(h.job(50, 'cdp-policy')).toMatchObject({ alert: null, hold: null });
    const next = cdpSession({ n: 2, start: 700, end: 1290, result: 'Success' });
    expect(h.poll({ now: 1300, cdp: [{ session: next, tasks: [] }] })).toEqual([]);
  });

  it('cdp: false ignores CDP policies', () => {
    const h = new Harness(settings({ cdp: false }));
    h.poll({ now: 620, cdp: [{ session: failedSession, tasks: [] }] });
    expect(h.sent).toEqual([]);
  });
});

function running<
  R extends { session: { endTime: string | null; state: string; result: string }; tasks: unknown[] },
>(run: R): R {
  return { ...run, session: { ...run.session, endTime: null, state: 'Working', result: 'None' }, tasks: [] };
}
