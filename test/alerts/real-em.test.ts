// The engine on what a real EM shows (em-rest-api.md, "Timing"): running CDP syncs that already failed, failed
// runs shown before their task sessions, runs stamped by a backup server's clock hours off, and runs collected
// late. Pure: decisions over plain data, no I/O.
import { describe, expect, it } from 'vitest';
import { at, brief, cdpSession, cdpTask, Harness, jobRun, type SyncSpec } from '../support/alerts-data.ts';

const failed = (n: number, start: number, end: number, extra: object = {}) =>
  jobRun({ n, start, end, result: 'Failed', ...extra }, ['Failed', 'Success']);
const ok = (n: number, start: number, end: number, extra: object = {}) =>
  jobRun({ n, start, end, result: 'Success', ...extra }, ['Success', 'Success']);
/** As the EM shows a finished run before it has collected its VMs: no task sessions yet. */
const withoutTasks = <R extends { tasks: unknown[] }>(run: R, until: number) => ({
  ...run,
  tasks: [],
  awaitingTasksUntil: at(until),
});

describe('running CDP syncs', () => {
  const policy = cdpSession({ n: 1, start: 0, end: null });
  const sync = (spec: SyncSpec) => cdpTask(policy, spec);

  it('a sync still running with a Failed result is alerted when seen, once, and not again when it ends so', () => {
    const h = new Harness();
    const good = sync({ vm: 'db01', n: 1, start: 0, end: null });
    const bad = sync({
      vm: 'app01',
      n: 1,
      start: 0,
      end: null,
      result: 'Failed',
      reason: 'CDP journal is full',
    });
    expect(brief(h.poll({ now: 60, cdp: [{ session: policy, tasks: [good, bad] }] }))).toEqual([
      'failure:Failed:1',
    ]);
    expect(h.sent[0]?.vms?.map((v) => [v.name, v.state, v.reason])).toEqual([
      ['app01', 'InProgress', 'CDP journal is full'],
    ]);
    expect(h.poll({ now: 90, cdp: [{ session: policy, tasks: [good, bad] }] })).toEqual([]);
    const ended = { ...bad, state: 'Completed', endTime: at(100) };
    expect(h.poll({ now: 120, cdp: [{ session: policy, tasks: [good, ended] }] })).toEqual([]);
  });

  it("a VM's latest sync counts, running with a bad result, over an earlier completed success", () => {
    const h = new Harness();
    const earlier = sync({ vm: 'app01', n: 1, start: 0, end: 30 });
    const now = sync({ vm: 'app01', n: 2, start: 31, end: null, result: 'Warning', reason: 'RPO exceeded' });
    expect(brief(h.poll({ now: 60, cdp: [{ session: policy, tasks: [earlier, now] }] }))).toEqual([
      'failure:Warning:1',
    ]);
  });

  it('a running sync that says Success says nothing yet: it neither alerts nor resolves', () => {
    const h = new Harness();
    const bad = sync({
      vm: 'app01',
      n: 1,
      start: 0,
      end: 20,
      result: 'Failed',
      reason: 'target unreachable',
    });
    h.poll({ now: 60, cdp: [{ session: policy, tasks: [bad] }] });
    expect(h.sent.map((e) => e.event)).toEqual(['failure']);
    const running = sync({ vm: 'app01', n: 2, start: 21, end: null });
    expect(h.poll({ now: 90, cdp: [{ session: policy, tasks: [bad, running] }] })).toEqual([]);
    const done = { ...running, state: 'Completed', endTime: at(95) };
    expect(brief(h.poll({ now: 100, cdp: [{ session: policy, tasks: [bad, done] }] }))).toEqual([
      'resolved:Success:1',
    ]);
  });
});

describe('task sessions the EM collects after their session', () => {
  it('holds the failure until they come, then sends it once with the VMs', () => {
    const h = new Harness();
    const run = failed(1, 0, 10);
    expect(h.poll({ now: 12, replica: [withoutTasks(run, 72)] })).toEqual([]);
    expect(h.poll({ now: 30, replica: [withoutTasks(run, 72)] })).toEqual([]); // past the hold: still waiting
    const [event, ...rest] = h.poll({ now: 45, replica: [run] });
    expect(rest).toEqual([]);
    expect(event?.vms?.map((v) => [v.name, v.result])).toEqual([['sql-vm-01', 'Failed']]);
    expect(h.poll({ now: 60, replica: [run] })).toEqual([]);
  });

  it('sends it without VMs once the wait for them is over', () => {
    const h = new Harness();
    const run = withoutTasks(failed(1, 0, 10), 72);
    expect(h.poll({ now: 12, replica: [run] })).toEqual([]);
    expect(h.poll({ now: 70, replica: [run] })).toEqual([]);
    const [event] = h.poll({ now: 75, replica: [{ ...run, awaitingTasksUntil: undefined }] });
    expect(event).toMatchObject({ event: 'failure', vms: [] });
  });

  it('a retry that recovers while the VMs are awaited still sends nothing', () => {
    const h = new Harness();
    h.poll({ now: 12, replica: [withoutTasks(failed(1, 0, 10), 72)] });
    expect(h.poll({ now: 30, replica: [ok(2, 20, 25, { isRetry: true })] })).toEqual([]);
    expect(h.poll({ now: 90, replica: [] })).toEqual([]);
  });
});

describe('backup servers on other clocks, and collections that come late', () => {
  it('a failure stamped 3 h in our future is sent retryHold after it was first seen, not 3 h later', () => {
    const h = new Harness();
    const run = failed(1, 180, 200); // ran 0:00-0:20 on a server whose clock is 3 h ahead
    expect(h.poll({ now: 25, replica: [run], readBefore: true })).toEqual([]);
    expect(brief(h.poll({ now: 40, replica: [run], readBefore: true }))).toEqual(['failure:Failed:1']);
  });

  it('a failure collected after its hold had passed waits retryHold for a retry collected after it', () => {
    const h = new Harness();
    expect(h.poll({ now: 150, replica: [failed(1, 0, 10)], readBefore: true })).toEqual([]);
    // The retry, 10 minutes after it on the server, reaches the EM with the next collection: nothing is sent.
    expect(h.poll({ now: 160, replica: [ok(2, 20, 25, { isRetry: true })], readBefore: true })).toEqual([]);
    expect(h.poll({ now: 200, replica: [], readBefore: true })).toEqual([]);
  });

  it('a failure first seen by a poll whose own clock ran 2 h ahead is held retryHold from the next poll, not 2 h', () => {
    const h = new Harness();
    expect(h.poll({ now: 150 + 120, replica: [failed(1, 100, 130)], readBefore: true })).toEqual([]);
    expect(h.poll({ now: 180, replica: [], readBefore: true })).toEqual([]); // the clock is right again
    expect(brief(h.poll({ now: 196, replica: [], readBefore: true }))).toEqual(['failure:Failed:1']);
  });

  it('on an EM polled before, a job first seen with a failure and a later success sends both', () => {
    const h = new Harness();
    const events = h.poll({ now: 300, replica: [failed(1, 0, 10), ok(2, 120, 130)], readBefore: true });
    expect(brief(events)).toEqual(['failure:Failed:1', 'resolved:Success:1']);
  });

  it("on an EM's first poll, the same runs are history: nothing is sent", () => {
    const h = new Harness();
    expect(h.poll({ now: 300, replica: [failed(1, 0, 10), ok(2, 120, 130)] })).toEqual([]);
  });
});
