import { describe, expect } from 'vitest';
import { MINUTE } from '../../functions/duration.ts';
import { ScenarioBuilder } from '../../functions/simulator/index.ts';
import { type Doc, NOW, parseXml, queryJson, simulatorTest, smallEstate } from '../support/simulator.ts';

const { sessions: s, cdp, scenario } = smallEstate();

const it = simulatorTest({ scenario })
  .extend('one', { scope: 'file' }, ({ sim, token }) => async (type: string, uid: string): Promise<Doc> => {
    const field = type.startsWith('Cdp') ? 'Id' : 'UID';
    return (await queryJson(sim, token, { type, filter: `${field}=="${uid}"` })).items[0];
  })
  .extend(
    'tasks',
    { scope: 'file' },
    ({ sim, token }) =>
      async (jobSessionUid: string): Promise<Doc[]> =>
        (
          await queryJson(sim, token, {
            type: 'ReplicaTaskSession',
            filter: `JobSessionUid=="${jobSessionUid}"`,
          })
        ).items,
  );

// One sequence: the clock moves forward through the tests.
describe('what the simulated clock shows', () => {
  it('shows a session before its end as running: Working, None, no end time, partial progress', async ({
    sim,
    get,
    one,
    tasks,
  }) => {
    expect(sim.clock.now()).toBe(NOW);
    expect(await one('ReplicaJobSession', s.running.uid)).toMatchObject({
      State: 'Working',
      Result: 'None',
      EndTimeUTC: null,
      Progress: 33, // 10 of 30 minutes
      FailureMessage: null,
    });
    const running = await tasks(s.running.uid);
    expect(running.map((t) => [t.State, t.Result, t.EndTimeUTC, t.Reason])).toEqual([
      ['InProgress', 'None', null, null],
      ['InProgress', 'None', null, null],
    ]);
    const xml = await get(`query?type=ReplicaJobSession&format=Entities&filter=UID=="${s.running.uid}"`);
    expect(xml.text).not.toContain('<EndTimeUTC>');
  });

  it('hides sessions created after now; runs sessions without an end forever', async ({ one }) => {
    expect(await one('ReplicaJobSession', s.future.uid)).toBeUndefined();
    expect(await one('ReplicaJobSession', s.endless.uid)).toMatchObject({ State: 'Working', Progress: 0 });
  });

  it('serves odd finished data as given', async ({ one }) => {
    expect(await one('ReplicaJobSession', s.pausing.uid)).toMatchObject({
      State: 'Pausing',
      Result: 'Success',
    });
    expect(await one('ReplicaJobSession', s.none.uid)).toMatchObject({ State: 'Stopped', Result: 'None' });
    expect(await one('ReplicaJobSession', s.postprocessing.uid)).toMatchObject({ State: 'Postprocessing' });
  });

  it('shows a running CDP session Working, its running sync InProgress with Result Success (as documented)', async ({
    sim,
    token,
    one,
  }) => {
    const policy = await one('CdpReplicaSession', cdp.running.uid);
    expect(policy).toMatchObject({
      State: 'Working',
      Result: 'None',
      EndTimeUTC: null,
      FailureMessage: null,
    });
    const syncs = (
      await queryJson(sim, token, {
        type: 'CdpReplicaTaskSession',
        filter: `PolicySessionUid=="${cdp.running.uid}"`,
        sortAsc: 'CreationTimeUTC',
      })
    ).items;
    expect(syncs.map((t) => t.State)).toEqual(['Completed', 'Completed', 'InProgress', 'InProgress']);
    expect(syncs.filter((t) => t.State === 'InProgress').every((t) => t.Result === 'Success')).toBe(true);
  });

  it('finishes sessions as the clock passes their end, and shows new ones as it passes their start', async ({
    sim,
    one,
    tasks,
  }) => {
    sim.clock.advance(25 * MINUTE);
    expect(await one('ReplicaJobSession', s.running.uid)).toMatchObject({
      State: 'Stopped',
      Result: 'Success',
      EndTimeUTC: expect.stringMatching(/^2025-08-16T06:20:00/),
      Progress: 100,
    });
    expect((await tasks(s.running.uid)).map((t) => t.State)).toEqual(['Completed', 'Completed']);
    expect(await one('ReplicaJobSession', s.future.uid)).toBeUndefined();
    sim.clock.set('2025-08-16T07:05:00Z');
    expect(await one('ReplicaJobSession', s.future.uid)).toMatchObject({ State: 'Working' });
    sim.clock.advance(10 * MINUTE);
    expect(await one('ReplicaJobSession', s.future.uid)).toMatchObject({
      State: 'Stopped',
      Result: 'Success',
    });
    expect(await one('ReplicaJobSession', s.endless.uid)).toMatchObject({ State: 'Working' });
  });

  it('adds sessions between polls; a known UID replaces the old row; `now` sets the clock', async ({
    sim,
    get,
    one,
    tasks,
  }) => {
    const b = new ScenarioBuilder({ now: '2025-08-16T08:00:00Z', seed: 'added' });
    const late = b
      .replicaJob('Late Job')
      .run({ start: '2025-08-16T07:30:00Z', vms: [{ name: 'late01', result: 'Failed', reason: 'boom' }] });
    sim.add({ ...b.build(), now: '2025-08-16T08:00:00Z' });
    expect(sim.clock.now()).toBe('2025-08-16T08:00:00.000Z');
    expect(await one('ReplicaJobSession', late.uid)).toMatchObject({ Result: 'Failed' });
    expect(await tasks(late.uid)).toHaveLength(1);
    sim.add({ replicaJobSessions: [{ ...late, result: 'Warning' }] });
    expect(await one('ReplicaJobSession', late.uid)).toMatchObject({ Result: 'Warning' });
    const refs = parseXml((await get('replicaSessions')).text).EntityReferences.Ref.map(
      (r: Doc) => r['@UID'],
    );
    expect(refs).toContain(late.uid);
  });
});
