// The poll's schedule read against the simulator over HTTP, state in dynalite: with the role Portal Administrator
// a missed scheduled run is stale at once; without it, one log line and the median gap, asked again a day later.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/index.ts';
import { DEFAULT_SETTINGS } from '../../functions/alerts/index.ts';
import { HOUR } from '../../functions/duration.ts';
import type { Publication } from '../../functions/notify/notifier.ts';
import { type PollerDeps, pollEm } from '../../functions/poller/poll.ts';
import { ScenarioBuilder, startSimulator } from '../../functions/simulator/index.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import { canaryUser } from '../support/canary.ts';
import { runCli } from '../support/cli.ts';
import { suiteDynalite } from '../support/dynalite.ts';

const NOW = '2026-11-25T06:00:00Z';

/**
 * An hourly job that ran at 01:00-04:00, whose schedule says its next run was due at 05:00; another hourly job of
 * 10-minute runs whose 05:00 run is still going; a scheduled one someone will disable.
 */
function estate() {
  const b = new ScenarioBuilder({ now: NOW });
  const sql = b.replicaJob('SQL Replication');
  const files = b.replicaJob('File Server Replica');
  const web = b.replicaJob('Web Farm Replica');
  for (const hour of [1, 2, 3, 4]) {
    const start = `2026-11-25T0${hour}:00:00Z`;
    for (const job of [sql, files, web]) job.run({ start, durationMin: 10, vms: ['vm01'] });
  }
  sql.schedule({ at: '2026-11-25T05:00:00Z' });
  files.run({ start: '2026-11-25T05:00:00Z', durationMin: null, vms: ['vm01'] });
  files.schedule({ at: '2026-11-25T05:00:00Z', everyMin: 60 });
  web.run({ start: '2026-11-25T05:00:00Z', durationMin: 10, vms: ['vm01'] });
  web.schedule({ at: '2026-11-25T05:00:00Z', everyMin: 60 });
  return b.build();
}

/** The Web Farm job's schedule, disabled (as `query?type=Job` then lists it). */
const disabledWeb = () =>
  (estate().jobs ?? [])
    .filter((row) => row.name === 'Web Farm Replica')
    .map((row) => ({ ...row, scheduleEnabled: false, firstRun: null }));

describe('the schedule read of a poll', () => {
  const dynamo = suiteDynalite();
  let tables = 0;

  async function world(role: 'portal-administrator' | 'portal-user') {
    const user = canaryUser('TECH\\svc', role);
    const sim = await startSimulator({ scenario: estate(), users: [user] });
    const client = localClient(dynamo.endpoint);
    const table = `schedules-${++tables}`;
    await ensureTable(client, table);
    const published: AlertEvent[] = [];
    const warnings: string[] = [];
    let now = Date.parse(NOW);
    const deps: PollerDeps = {
      store: new DynamoStateStore(client, table),
      notifier: {
        channels: ['events'],
        publish: async (p: Publication) => void published.push(JSON.parse(p.message) as AlertEvent),
      },
      credentials: async () => user,
      now: () => new Date(now),
      log: { info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    };
    const poll = () =>
      pollEm({ name: 'em-prod', url: sim.url }, deps, { settings: { ...DEFAULT_SETTINGS, cdp: false } });
    const later = (ms: number) => {
      now += ms;
      sim.clock.advance(ms);
    };
    return { sim, poll, later, published, warnings };
  }

  it('as Portal Administrator: a missed run, a run going far longer than usual, a disabled schedule', async () => {
    const { sim, poll, later, published, warnings } = await world('portal-administrator');
    try {
      const summary = await poll();
      expect(summary.status).toBe('ok');
      expect(warnings).toEqual([]);
      const brief = () => published.map((e) => `${e.event} ${e.subject.name}`);
      expect(brief()).toEqual(['long-run File Server Replica', 'stale SQL Replication']);
      expect(published[1]).toMatchObject({
        stale: { basis: 'schedule', dueAt: '2026-11-25T05:00:00.000Z', thresholdMinutes: 30 },
      });
      sim.add({ jobs: disabledWeb() });
      later(10 * 60_000);
      await poll();
      expect(brief().slice(2)).toEqual(['schedule-disabled Web Farm Replica']);
    } finally {
      await sim.close();
    }
  });

  it('an unreadable schedule answer: one log line, the poll and its alerts as without schedules', async () => {
    const { sim, poll, published, warnings } = await world('portal-administrator');
    try {
      sim.faults.add({ kind: 'malformed', queryType: 'Job', times: Number.POSITIVE_INFINITY });
      const summary = await poll();
      expect(summary.status).toBe('ok');
      expect(warnings).toEqual([expect.stringMatching(/^Schedules not read \(query\?type=Job\): /)]);
      expect(published.map((e) => e.event)).toEqual(['long-run']); // no missed run: the median gap decides
    } finally {
      await sim.close();
    }
  });

  it('as Portal User: one log line, the median gap decides, and the query is asked again only a day later', async () => {
    const { sim, poll, later, published, warnings } = await world('portal-user');
    try {
      const asked = () => sim.requests.filter((r) => r.query.type === 'Job').map((r) => r.status);
      const first = await poll();
      expect(first.status).toBe('ok');
      expect(asked()).toEqual([403]);
      expect(warnings).toEqual([
        expect.stringMatching(
          /^Schedules not read \(query\?type=Job\): HTTP 403: needs the Enterprise Manager role Portal Administrator; .*median gap/,
        ),
      ]);
      // No missed run: 06:00 is within 3 x the median gap of the SQL job's last run.
      expect(published.map((e) => e.event)).toEqual(['long-run']);
      later(HOUR);
      await poll();
      expect(asked()).toEqual([403]);
      expect(warnings).toHaveLength(1);
      later(24 * HOUR);
      await poll();
      expect(asked()).toEqual([403, 403]);
      expect(warnings).toHaveLength(2);
    } finally {
      await sim.close();
    }
  });

  it('replica-alerts poll reads them too: the missed run, the long run, a disabled schedule in its output', async () => {
    const user = canaryUser('TECH\\svc', 'portal-administrator');
    const sim = await startSimulator({ scenario: estate(), users: [user] });
    try {
      const state = mkdtempSync(join(tmpdir(), 'ra-schedules-'));
      const env = { EM_USERNAME: user.username, EM_PASSWORD: user.password };
      const r = await runCli(
        ['poll', '--em-url', sim.url, '--state', state, '--output', 'json', '--no-cdp'],
        {
          env,
          now: () => new Date(NOW),
        },
      );
      expect(r.err).not.toMatch(/warning/);
      const events = r.out.split('\n').map((line) => JSON.parse(line) as AlertEvent);
      expect(events.map((e) => `${e.event} ${e.subject.name}`)).toEqual([
        'long-run File Server Replica',
        'stale SQL Replication',
      ]);
      sim.add({ jobs: disabledWeb() });
      sim.clock.advance(10 * 60_000);
      const again = await runCli(
        ['poll', '--em-url', sim.url, '--state', state, '--output', 'json', '--no-cdp'],
        {
          env,
          now: () => new Date(Date.parse(NOW) + 10 * 60_000),
        },
      );
      expect(again.out.split('\n').map((line) => JSON.parse(line).event)).toEqual(['schedule-disabled']);
    } finally {
      await sim.close();
    }
  });

  it("a CDP policy's events carry the RPO its schedule options give, and whether its sync breached it", async () => {
    const user = canaryUser('TECH\\svc', 'portal-administrator');
    const b = new ScenarioBuilder({ now: NOW });
    const policy = b.cdpPolicy('CDP Tier-1');
    const reason = 'RPO of 15 seconds violated: dc03 could not sync (host esx03 unreachable).';
    policy.session({
      start: '2026-11-25T05:00:00Z',
      durationMin: null,
      vms: [{ name: 'dc03', running: true, result: 'Failed', reason }],
    });
    policy.schedule({ rpoSeconds: 15 });
    const sim = await startSimulator({ scenario: b.build(), users: [user] });
    try {
      const state = mkdtempSync(join(tmpdir(), 'ra-schedules-'));
      const env = { EM_USERNAME: user.username, EM_PASSWORD: user.password };
      const r = await runCli(
        ['poll', '--em-url', sim.url, '--state', state, '--output', 'json', '--retry-hold', '0'],
        {
          env,
          now: () => new Date(NOW),
        },
      );
      const events = r.out.split('\n').map((line) => JSON.parse(line) as AlertEvent);
      expect(events).toMatchObject([
        {
          event: 'failure',
          subject: { kind: 'cdp-policy', name: 'CDP Tier-1' },
          rpo: { seconds: 15, breached: true },
        },
      ]);
    } finally {
      await sim.close();
    }
  });
});
