import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../functions/duration.ts';
import {
  demoDay,
  FAILURE_REASONS,
  generateEstate,
  ScenarioBuilder,
  WARNING_REASONS,
} from '../../functions/simulator/index.ts';
import { call, logon, NOW, startCanarySimulator } from '../support/simulator.ts';

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

function sample(seed: number | string) {
  const s = new ScenarioBuilder({ now: NOW, seed });
  const job = s.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' });
  const first = job.run({
    start: '2025-08-16T00:00:00Z',
    durationMin: 20,
    vms: ['sql02', { name: 'sql01', result: 'Failed', reason: FAILURE_REASONS[0] }, 'sql03'],
  });
  const recovered = job.retry();
  return { s, job, first, recovered };
}

describe('ScenarioBuilder', () => {
  it('is deterministic from its seed, with GUIDs and URNs in the EM forms', () => {
    expect(sample(7).s.build()).toEqual(sample(7).s.build());
    expect(sample(7).first.uid).not.toBe(sample(8).first.uid);
    const { first, job } = sample(7);
    expect(first.uid).toMatch(new RegExp(`^urn:veeam:ReplicaJobSession:${GUID}$`));
    expect(job.uid).toMatch(new RegExp(`^urn:veeam:Job:${GUID}$`));
    expect(first.backupServerUid).toMatch(new RegExp(`^urn:veeam:BackupServer:${GUID}$`));
    expect(first).toMatchObject({
      name: 'SQL Replication@2025-08-16 00:00:00',
      jobName: 'SQL Replication',
      jobType: 'Replica',
      backupServerName: 'vbr01.tech.local',
      creationTime: '2025-08-16T00:00:00.000Z',
      state: 'Stopped',
      result: 'Failed', // the worst VM result
      progress: 100,
      isRetry: false,
    });
  });

  it('processes VMs one after another within the run, each with a stable size', () => {
    const { s, first } = sample(1);
    const tasks = s.build().replicaTaskSessions.filter((t) => t.jobSessionUid === first.uid);
    expect(tasks.map((t) => t.vmDisplayName)).toEqual(['sql02', 'sql01', 'sql03']);
    for (const task of tasks) {
      expect(task.creationTime >= first.creationTime && (task.endTime ?? '') <= (first.endTime ?? '')).toBe(
        true,
      );
      expect(task.name).toBe(`${task.vmDisplayName}@${task.creationTime.slice(0, 19).replace('T', ' ')}`);
    }
    expect(tasks.map((t) => t.creationTime)).toEqual(tasks.map((t) => t.creationTime).sort());
    expect(tasks.find((t) => t.vmDisplayName === 'sql01')).toMatchObject({
      result: 'Failed',
      reason: FAILURE_REASONS[0],
    });
    expect(tasks.find((t) => t.vmDisplayName === 'sql02')).toMatchObject({ result: 'Success', reason: null });
    const later = s.replicaJob('Again').run({ start: '2025-08-16T03:00:00Z', vms: ['sql02'] });
    const again = s.build().replicaTaskSessions.find((t) => t.jobSessionUid === later.uid);
    expect(again?.totalSize).toBe(tasks[0]?.totalSize);
  });

  it('retries 10 minutes after a run, same job, only the failed VMs: recovering or failing alike', () => {
    const { s, job, first, recovered } = sample(3);
    expect(recovered).toMatchObject({ jobUid: first.jobUid, isRetry: true, result: 'Success' });
    expect(Date.parse(recovered.creationTime) - Date.parse(first.endTime ?? '')).toBe(10 * MINUTE);
    const retryTasks = s.build().replicaTaskSessions.filter((t) => t.jobSessionUid === recovered.uid);
    expect(retryTasks.map((t) => [t.vmDisplayName, t.result, t.reason])).toEqual([
      ['sql01', 'Success', null],
    ]);
    job.run({
      start: '2025-08-16T04:00:00Z',
      vms: [{ name: 'sql03', result: 'Failed', reason: 'x' }, 'sql01'],
    });
    const stuck = job.retry({ recover: false, afterMin: 5 });
    expect(stuck).toMatchObject({ isRetry: true, result: 'Failed' });
    expect(s.build().replicaTaskSessions.filter((t) => t.jobSessionUid === stuck.uid)).toMatchObject([
      { vmDisplayName: 'sql03', result: 'Failed', reason: 'x' },
    ]);
    expect(() => s.replicaJob('Fresh').retry()).toThrow('a retry needs a previous run');
  });

  it('makes endless runs, odd states, and CDP policy sessions of consecutive VM syncs', () => {
    const s = new ScenarioBuilder({ now: NOW, seed: 2 });
    const endless = s
      .replicaJob('Forever')
      .run({ start: '2025-08-16T05:00:00Z', durationMin: null, vms: ['a'] });
    expect(endless).toMatchObject({ endTime: null, progress: 0 });
    expect(s.build().replicaTaskSessions.find((t) => t.jobSessionUid === endless.uid)?.endTime).toBeNull();
    const odd = s.replicaJob('Odd').run({ start: NOW, state: 'Postprocessing', result: 'None', vms: [] });
    expect(odd).toMatchObject({ state: 'Postprocessing', result: 'None' });
    const policy = s.cdpPolicy('CDP Tier1', { backupServer: 'vbr02.tech.local' });
    const session = policy.session({
      start: '2025-08-15T15:00:00Z',
      vms: [{ name: 'dc01', syncs: 2, result: 'Warning', reason: WARNING_REASONS[1] }, 'dc02'],
      failureMessage: 'partly',
    });
    expect(session).toMatchObject({
      policyUid: policy.uid,
      policyName: 'CDP Tier1',
      result: 'Warning',
      failureMessage: 'partly',
    });
    expect(Date.parse(session.endTime ?? '') - Date.parse(session.creationTime)).toBeGreaterThanOrEqual(DAY);
    const syncs = s.build().cdpReplicaTaskSessions.filter((t) => t.policySessionUid === session.uid);
    expect(syncs.map((t) => t.vmDisplayName)).toEqual(['dc01', 'dc01', 'dc02', 'dc02', 'dc02']);
    expect(syncs.filter((t) => t.vmDisplayName === 'dc01').every((t) => t.result === 'Warning')).toBe(true);
  });
});

describe('demoDay', () => {
  const day = demoDay({ now: NOW });
  const jobNames = new Set(day.replicaJobSessions.map((j) => j.jobName));
  const byJob = (name: string) =>
    day.replicaJobSessions
      .filter((j) => j.jobName === name)
      .sort((a, b) => (a.creationTime < b.creationTime ? -1 : 1));

  it('spans a day on two backup servers with six replica jobs and two CDP policies', () => {
    expect(day.backupServers.map((b) => b.name)).toEqual(['vbr01.tech.local', 'vbr02.tech.local']);
    expect(jobNames).toEqual(
      new Set([
        'SQL Replication',
        'Fileserver02 Replication',
        'Exchange DR',
        'Web Farm Replica',
        'Büro "Nord" Replica',
        'ERP Replica',
      ]),
    );
    const dayAgo = new Date(Date.parse(NOW) - DAY).toISOString();
    expect(day.replicaJobSessions.every((j) => j.creationTime >= dayAgo)).toBe(true);
    expect(new Set(day.cdpReplicaSessions.map((p) => p.policyName))).toEqual(
      new Set(['CDP Tier1', 'CDP Finance']),
    );
  });

  it('has failures and warnings with Veeam reasons verbatim, in tasks', () => {
    const reasons = new Set(day.replicaTaskSessions.map((t) => t.reason));
    for (const reason of [...FAILURE_REASONS, ...WARNING_REASONS]) expect(reasons).toContain(reason);
  });

  it('has a retry chain that recovers, one that keeps failing, a running run and a retry still to come', () => {
    const sql = byJob('SQL Replication');
    const sqlRetry = sql.findIndex((j) => j.isRetry);
    expect(sql[sqlRetry - 1]?.result).toBe('Failed');
    expect(sql[sqlRetry]?.result).toBe('Success');
    expect(
      byJob('Exchange DR')
        .slice(-4)
        .map((j) => [j.isRetry, j.result]),
    ).toEqual([
      [false, 'Failed'],
      [true, 'Failed'],
      [true, 'Failed'],
      [true, 'Failed'],
    ]);
    expect(
      day.replicaJobSessions.filter((j) => j.creationTime <= NOW && (j.endTime ?? '') > NOW),
    ).toHaveLength(1);
    expect(byJob('Büro "Nord" Replica').at(-1)).toMatchObject({ isRetry: true });
    expect(Date.parse(byJob('Büro "Nord" Replica').at(-1)?.creationTime ?? '')).toBeGreaterThan(
      Date.parse(NOW),
    );
  });

  it('has a CDP policy failing VM syncs with a FailureMessage, and a policy session running now', () => {
    const finance = day.cdpReplicaSessions.filter((p) => p.policyName === 'CDP Finance');
    expect(finance.every((p) => p.result === 'Failed' && p.failureMessage)).toBe(true);
    expect(
      day.cdpReplicaSessions.filter((p) => p.creationTime <= NOW && (p.endTime ?? '') > NOW),
    ).toHaveLength(2);
  });

  it('tells the same day whatever the time of day: no session starts or ends just before now', () => {
    // Relative to now; a CDP session anchored at 15:00 UTC was not collected yet by a demo run at 15:10.
    const relative = (now: string) => {
      const d = demoDay({ now });
      const ago = (t: string | null) => (t === null ? null : (Date.parse(now) - Date.parse(t)) / MINUTE);
      return [...d.replicaJobSessions, ...d.cdpReplicaSessions]
        .map((x) => [x.name.replace(/@.*/, ''), ago(x.creationTime), ago(x.endTime)])
        .sort();
    };
    const day = relative(NOW);
    for (const hour of ['00:00', '14:55', '15:00', '15:10', '23:59'])
      expect(relative(`2025-08-16T${hour}:00.000Z`)).toEqual(day);
  });

  it('defaults to now, to the minute', () => {
    const current = demoDay();
    expect(Math.abs(Date.parse(current.now) - Date.now())).toBeLessThan(2 * MINUTE);
    expect(current.now).toMatch(/:00\.000Z$/);
  });
});

describe('generateEstate', () => {
  it('makes 50,000 replica job sessions over 30 days, and answers OR batches of 50 parents with exactly their tasks', async () => {
    // How long generating takes is the benchmark's to measure (npm run bench), not a test's.
    const estate = generateEstate({ now: NOW, seed: 5 });
    expect(estate.replicaJobSessions).toHaveLength(50_000);
    expect(estate.replicaTaskSessions.length).toBeGreaterThan(180_000);
    const monthAgo = new Date(Date.parse(NOW) - 30 * DAY).toISOString();
    expect(estate.replicaJobSessions.every((j) => j.creationTime >= monthAgo)).toBe(true);
    const failed = estate.replicaJobSessions.filter((j) => j.result === 'Failed' && !j.isRetry).length;
    expect(failed / 50_000).toBeGreaterThan(0.07);
    expect(failed / 50_000).toBeLessThan(0.12);
    expect(estate.cdpReplicaSessions).toHaveLength(4 * 30);

    const sim = await startCanarySimulator({ scenario: estate });
    try {
      const { token, sessionId } = await logon(sim);
      const parents = estate.replicaJobSessions.slice(0, 500);
      let tasks = 0;
      for (let i = 0; i < parents.length; i += 50) {
        const filter = parents
          .slice(i, i + 50)
          .map((p) => `JobSessionUid=="${p.uid}"`)
          .join(',');
        const answer = await call(
          sim,
          `query?type=ReplicaTaskSession&format=Entities&sortAsc=CreationTime&pageSize=1000&filter=${encodeURIComponent(filter)}`,
          { headers: { 'x-restsvcsessionid': token, accept: 'application/json' } },
        );
        tasks += JSON.parse(answer.text).Entities.ReplicaTaskSessions.ReplicaTaskSessions.length;
      }
      expect(tasks).toBe(
        estate.replicaTaskSessions.filter((t) => parents.some((p) => p.uid === t.jobSessionUid)).length,
      );
      await call(sim, `logonSessions/${sessionId}`, {
        method: 'DELETE',
        headers: { 'x-restsvcsessionid': token },
      });
    } finally {
      await sim.close();
    }
  });
});
