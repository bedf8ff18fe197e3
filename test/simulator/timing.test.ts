import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../functions/duration.ts';
import { ScenarioBuilder, type Simulator, type SimulatorOptions } from '../../functions/simulator/index.ts';
import {
  call,
  type Doc,
  logon,
  NOW,
  queryJson,
  SNAPSHOT,
  startCanarySimulator,
} from '../support/simulator.ts';

const VBR01 = 'vbr01.tech.local';
const VBR02 = 'vbr02.tech.local';

/** A run per backup server that ended about an hour before NOW (04:40-05:00, 04:45-05:05); on vbr01, 05:30-05:50. */
function estate() {
  const s = new ScenarioBuilder({ now: NOW, seed: 'simulator-timing' });
  const on01 = s.replicaJob('Job 01', { backupServer: VBR01 });
  const first = on01.run({ start: '2025-08-16T04:40:00Z', durationMin: 20, vms: ['a01', 'a02'] });
  const second = s
    .replicaJob('Job 02', { backupServer: VBR02 })
    .run({ start: '2025-08-16T04:45:00Z', durationMin: 20, vms: ['b01'] });
  const late = on01.run({ start: '2025-08-16T05:30:00Z', durationMin: 20, vms: ['a01'] });
  return { scenario: s.build(), first, second, late };
}

let sim: Simulator;
let token: string;
const start = async (options: SimulatorOptions): Promise<void> => {
  sim = await startCanarySimulator(options);
  ({ token } = await logon(sim));
};
afterEach(() => sim.close());

const get = (path: string) =>
  call(sim, path, { headers: { 'x-restsvcsessionid': token, accept: 'application/json' } });
const jobSessions = async (params: Record<string, string> = {}): Promise<Doc[]> =>
  (await queryJson(sim, token, { type: 'ReplicaJobSession', ...params })).items;
const names = async (params: Record<string, string> = {}): Promise<string[]> =>
  (await jobSessions(params)).map((r) => String(r.JobName)).sort();
const tasksOf = async (uid: string): Promise<Doc[]> =>
  (await queryJson(sim, token, { type: 'ReplicaTaskSession', filter: `JobSessionUid=="${uid}"` })).items;
const guid = (uid: string): string => uid.slice(uid.lastIndexOf(':') + 1);

describe('per-backup-server timing', () => {
  it('a 2.5 h collection delay hides a session that ended 1 h ago; the other server shows; reset shows it', async () => {
    const { scenario, first, second } = estate();
    await start({ scenario, backupServers: { [VBR02]: { collectionDelayMs: 2.5 * HOUR } } });
    expect(await names()).toEqual(['Job 01', 'Job 01']);
    expect(await tasksOf(second.uid)).toEqual([]);
    expect((await get(`replicaSessions/${guid(second.uid)}?format=Entity`)).status).toBe(404);
    expect((await get(`replicaSessions/${guid(second.uid)}/replicaTaskSessions?format=Entity`)).status).toBe(
      404,
    );
    expect(JSON.parse((await get('replicaSessions')).text).Refs).toHaveLength(2);

    sim.setServerTiming(VBR02, {});
    expect(await names()).toEqual(['Job 01', 'Job 01', 'Job 02']);
    const shown = (await jobSessions({ filter: `UID=="${second.uid}"` }))[0];
    expect(shown).toMatchObject({
      State: 'Stopped',
      EndTimeUTC: expect.stringMatching(/^2025-08-16T05:05:00/),
    });
    expect(await tasksOf(second.uid)).toHaveLength(1);
    expect((await get(`replicaSessions/${guid(first.uid)}?format=Entity`)).status).toBe(200);
  });

  it('a delay smaller than the age of the end shows the session running as it was then', async () => {
    const { scenario, second } = estate();
    await start({ scenario, backupServers: { [VBR02]: { collectionDelayMs: 70 * MINUTE } } });
    const [row] = await jobSessions({ filter: `UID=="${second.uid}"` });
    expect(row).toMatchObject({ State: 'Working', Result: 'None', EndTimeUTC: null });
    expect(row.Progress).toBeGreaterThanOrEqual(24); // 5 of 20 minutes (and a random fraction of a second)
    expect(row.Progress).toBeLessThanOrEqual(25);
  });

  it('a +3 h clock offset shifts every served time; filters and sorting compare the shifted times', async () => {
    const { scenario, first, second } = estate();
    await start({ scenario });
    sim.setServerTiming(VBR01, { clockOffsetMs: 3 * HOUR });
    const [row] = await jobSessions({ filter: `UID=="${first.uid}"` });
    expect(row).toMatchObject({
      CreationTimeUTC: '2025-08-16T07:40:00Z',
      EndTimeUTC: expect.stringMatching(/^2025-08-16T08:00:00/),
    });
    expect((await tasksOf(first.uid)).map((t) => t.CreationTimeUTC.slice(0, 13))).toEqual([
      '2025-08-16T07',
      '2025-08-16T07',
    ]);
    const entity = JSON.parse((await get(`replicaSessions/${guid(first.uid)}?format=Entity`)).text);
    expect(entity.CreationTimeUTC).toBe('2025-08-16T07:40:00Z');
    const children = JSON.parse(
      (await get(`replicaSessions/${guid(first.uid)}/replicaTaskSessions?format=Entity`)).text,
    ).ReplicaTaskSessions;
    expect(children.every((t: Doc) => t.CreationTimeUTC.startsWith('2025-08-16T07:40'))).toBe(true);

    expect(await names({ filter: 'CreationTime>="2025-08-16T07:00:00Z"' })).toEqual(['Job 01', 'Job 01']);
    expect(await names({ filter: 'CreationTime<"2025-08-16T05:00:00Z"' })).toEqual(['Job 02']);
    const sorted = await jobSessions({ sortAsc: 'CreationTime' });
    expect(sorted.map((r) => r.UID)[0]).toBe(second.uid);
    // A session "created in the future" is still shown: the EM has it, stamped by the server's clock.
    expect(sorted).toHaveLength(3);
  });

  it('a clock that stepped (clockStepAt) shifts only the times stamped after the step', async () => {
    const { scenario, first, late } = estate();
    const step = '2025-08-16T05:00:00Z'; // between the first run's start and end (04:40-05:00) and the late run
    await start({ scenario, backupServers: { [VBR01]: { clockOffsetMs: 3 * HOUR, clockStepAt: step } } });
    const byUid = new Map((await jobSessions()).map((r) => [r.UID, r]));
    expect(byUid.get(first.uid)).toMatchObject({
      CreationTimeUTC: '2025-08-16T04:40:00Z',
      EndTimeUTC: expect.stringMatching(/^2025-08-16T08:00:00/), // ended at the step: stamped by the new clock
    });
    expect(byUid.get(late.uid)).toMatchObject({ CreationTimeUTC: '2025-08-16T08:30:00Z' });
  });

  it('a periodic collection shows the state at the last collection', async () => {
    const s = new ScenarioBuilder({ now: '2025-08-16T06:10:00Z', seed: 'periodic' });
    const job = s.replicaJob('Job 02', { backupServer: VBR02 });
    const ending = job.run({ start: '2025-08-16T05:50:00Z', durationMin: 18, vms: ['b01'] });
    const starting = job.run({ start: '2025-08-16T06:05:00Z', durationMin: 30, vms: ['b02'] });
    await start({ scenario: s.build(), backupServers: { [VBR02]: { collectionPeriodMs: 15 * MINUTE } } });
    // At 06:10 the last collection was 06:00: the first run still ran, the second had not started.
    expect((await jobSessions()).map((r) => [r.UID, r.State])).toEqual([[ending.uid, 'Working']]);
    sim.clock.advance(4 * MINUTE); // 06:14: no collection since
    expect((await jobSessions()).map((r) => [r.UID, r.State])).toEqual([[ending.uid, 'Working']]);
    sim.clock.advance(2 * MINUTE); // 06:16: collected at 06:15
    const rows = await jobSessions({ sortAsc: 'CreationTime' });
    expect(rows.map((r) => [r.UID, r.State])).toEqual([
      [ending.uid, 'Stopped'],
      [starting.uid, 'Working'],
    ]);
    // With a delay too, the collection is of the delayed moment: floor((06:16 - 20 min) / 15 min) = 05:45.
    sim.setServerTiming(VBR02, { collectionPeriodMs: 15 * MINUTE, collectionDelayMs: 20 * MINUTE });
    expect(await jobSessions()).toEqual([]);
  });

  it('taskDelayMs shows a finished session before its task sessions', async () => {
    const { scenario, late } = estate();
    await start({ scenario, backupServers: { [VBR01]: { taskDelayMs: 30 * MINUTE } } });
    expect((await jobSessions({ filter: `UID=="${late.uid}"` }))[0]).toMatchObject({ State: 'Stopped' });
    expect(await tasksOf(late.uid)).toEqual([]);
    const children = await get(`replicaSessions/${guid(late.uid)}/replicaTaskSessions?format=Entity`);
    expect(JSON.parse(children.text).ReplicaTaskSessions).toEqual([]);
    sim.clock.advance(25 * MINUTE); // tasks seen as of 05:55: ended
    expect((await tasksOf(late.uid)).map((t) => t.State)).toEqual(['Completed']);
  });

  it('a backlog caught up between two pages shows on the later page', async () => {
    const { scenario, second } = estate();
    await start({ scenario, backupServers: { [VBR02]: { collectionDelayMs: 2.5 * HOUR } } });
    const params = { sortAsc: 'CreationTime', pageSize: '1' };
    const fault = sim.faults.add({
      kind: 'mutate',
      path: '/api/query',
      page: 2,
      apply: () => sim.setServerTiming(VBR02, {}),
    });
    const first = await queryJson(sim, token, { type: 'ReplicaJobSession', ...params, page: '1' });
    expect(first.paging.PagesCount).toBe(2);
    const page2 = await queryJson(sim, token, { type: 'ReplicaJobSession', ...params, page: '2' });
    expect(fault.fired).toBe(1);
    expect(page2.paging.PagesCount).toBe(3);
    expect(page2.items.map((r) => r.UID)).toEqual([second.uid]);
  });

  it('rejects nonsense timings', async () => {
    await start({});
    expect(() => sim.setServerTiming(VBR01, { collectionDelayMs: -1 })).toThrow(RangeError);
    expect(() => sim.setServerTiming(VBR01, { clockOffsetMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('a running CDP task session with a result', () => {
  it('is served as given (InProgress, Failed, its reason) until a completed row replaces it', async () => {
    const s = new ScenarioBuilder({ now: NOW, seed: 'cdp-running' });
    const session = s.cdpPolicy('CDP Tier2').session({
      start: '2025-08-16T00:00:00Z',
      durationMin: null,
      vms: [{ name: 'dc03', running: true, result: 'Failed', reason: SNAPSHOT }, 'dc04'],
    });
    const scenario = s.build();
    await start({ scenario });
    const syncs = async (): Promise<Doc[]> =>
      (
        await queryJson(sim, token, {
          type: 'CdpReplicaTaskSession',
          filter: `PolicySessionUid=="${session.uid}"`,
          sortAsc: 'VmDisplayName',
        })
      ).items;
    expect((await syncs()).map((t) => [t.VmDisplayName, t.State, t.Result, t.Reason, t.EndTimeUTC])).toEqual([
      ['dc03', 'InProgress', 'Failed', SNAPSHOT, null],
      ['dc04', 'InProgress', 'Success', null, null], // the documented default for a running sync
    ]);
    const xml = await call(
      sim,
      'query?type=CdpReplicaTaskSession&format=Entities&filter=VmDisplayName==dc03',
      {
        headers: { 'x-restsvcsessionid': token },
      },
    );
    expect(xml.text).toContain('<State>InProgress</State><Result>Failed</Result><Reason>');

    const running = scenario.cdpReplicaTaskSessions.find((t) => t.vmDisplayName === 'dc03');
    if (!running) throw new Error('no dc03 task');
    sim.add({
      cdpReplicaTaskSessions: [{ ...running, state: 'Completed', endTime: '2025-08-16T05:00:00Z' }],
    });
    expect((await syncs())[0]).toMatchObject({
      State: 'Completed',
      Result: 'Failed',
      Reason: SNAPSHOT,
      EndTimeUTC: '2025-08-16T05:00:00Z',
    });
  });
});
