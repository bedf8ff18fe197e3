// Ready-made scenarios: a realistic day on two backup servers for the demo and hand tests, and a large estate
// (30 days, 50,000+ replica job sessions) for scale tests and benchmarks. Both are deterministic from a seed.

import { DAY, HOUR, MINUTE } from '../duration.ts';
import { ScenarioBuilder, type Vm } from './builder.ts';
import type { Scenario } from './scenario.ts';

/** Reasons Veeam gives for failed and warning VMs, verbatim. */
export const FAILURE_REASONS = [
  'Error: Failed to create VM snapshot. Error: The operation is not allowed in the current state.',
  'Error: Cannot connect to host esx02.tech.local: Connection timed out',
  'Error: Not enough storage is available on datastore "DR-DS01"',
];
export const WARNING_REASONS = [
  'Warning: Unable to truncate Microsoft SQL Server transaction logs.',
  'Changed block tracking cannot be enabled',
];

const [SNAPSHOT, TIMEOUT, DATASTORE] = FAILURE_REASONS as [string, string, string];
const [TRUNCATE, CBT] = WARNING_REASONS as [string, string];

/** The current time to the minute: the default `now` of both scenarios. */
const currentMinute = (): string => new Date(Math.floor(Date.now() / MINUTE) * MINUTE).toISOString();

/**
 * A day under one EM: six replica jobs on two backup servers every few hours, failures and warnings with real
 * reasons, a retry chain that recovers and one that keeps failing, a run still going, a retry that starts a few
 * minutes after `now` (advance the clock to see it), and two CDP policies, one with failing VM syncs.
 */
export function demoDay({
  now = currentMinute(),
  seed = 'demo-day',
}: {
  now?: string;
  seed?: number | string;
} = {}): Scenario {
  const s = new ScenarioBuilder({ now, seed });
  const end = Date.parse(s.now);
  const ago = (minutes: number): string => new Date(end - minutes * MINUTE).toISOString();
  /** Starts every `everyH` hours from `offsetMin` past this time yesterday, leaving `needMin` before now. */
  const starts = (everyH: number, offsetMin: number, needMin: number): string[] => {
    const times: string[] = [];
    for (let t = end - DAY + offsetMin * MINUTE; t + (needMin + 1) * MINUTE < end; t += everyH * HOUR)
      times.push(new Date(t).toISOString());
    return times;
  };

  const sql = s.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' });
  for (const [i, start] of starts(4, 30, 20).entries()) {
    const sql01: Vm = i === 2 ? { name: 'sql01', result: 'Failed', reason: SNAPSHOT } : 'sql01';
    const sql02: Vm = i === 3 ? { name: 'sql02', result: 'Warning', reason: TRUNCATE } : 'sql02';
    sql.run({ start, durationMin: 20, vms: [sql01, sql02] });
    if (i === 2) sql.retry({ recover: true });
  }

  // An early warning that the next run cleared, and a latest run that ended with a warning.
  const files = s.replicaJob('Fileserver02 Replication', { backupServer: 'vbr01.tech.local' });
  const filesStarts = starts(6, 60, 35);
  for (const [i, start] of filesStarts.entries()) {
    const warned = i === 0 || i === filesStarts.length - 1;
    files.run({
      start,
      durationMin: 35,
      vms: [warned ? { name: 'fs02', result: 'Warning', reason: CBT } : 'fs02'],
    });
  }

  // The latest run fails on one VM, and so do the three automatic retries that follow it.
  const exchange = s.replicaJob('Exchange DR', { backupServer: 'vbr02.tech.local' });
  const exchangeStarts = starts(4, 135, 25 + 3 * 15);
  for (const [i, start] of exchangeStarts.entries()) {
    const exch02: Vm =
      i === exchangeStarts.length - 1 ? { name: 'exch02', result: 'Failed', reason: TIMEOUT } : 'exch02';
    exchange.run({ start, durationMin: 25, vms: ['exch01', exch02, 'exch03'] });
  }
  for (let retry = 0; retry < 3; retry++) exchange.retry({ recover: false });

  const web = s.replicaJob('Web Farm Replica', { backupServer: 'vbr02.tech.local' });
  const webVms = ['web01', 'web02', 'web03', 'web04'];
  for (const start of starts(3, 45, 10)) web.run({ start, durationMin: 10, vms: webVms });
  web.run({ start: ago(5), durationMin: 30, vms: webVms }); // still running at now

  const nord = s.replicaJob('Büro "Nord" Replica', { backupServer: 'vbr01.tech.local' });
  for (const start of starts(8, 180, 40))
    nord.run({ start, durationMin: 15, vms: ['nord-dc01', 'nord-fs01'] });
  nord.run({
    start: ago(20),
    durationMin: 15,
    vms: ['nord-dc01', { name: 'nord-fs01', result: 'Failed', reason: DATASTORE }],
  });
  nord.retry({ recover: true }); // starts 5 minutes after now

  const erp = s.replicaJob('ERP Replica', { backupServer: 'vbr02.tech.local' });
  for (const start of starts(12, 240, 40))
    erp.run({ start, durationMin: 40, vms: ['erp-app01', 'erp-db01'] });

  // CDP policy sessions last a day: yesterday's ended 9 hours ago, today's has run since. Relative to now, not at a
  // time of day: a session starting or ending minutes before now is not collected yet, and the demo would change.
  const today = end - 9 * HOUR;
  const tier1 = s.cdpPolicy('CDP Tier1', { backupServer: 'vbr01.tech.local' });
  const finance = s.cdpPolicy('CDP Finance', { backupServer: 'vbr02.tech.local' });
  for (const start of [today - DAY, today].map((t) => new Date(t).toISOString())) {
    tier1.session({ start, vms: ['dc01', 'dc02'] });
    finance.session({
      start,
      vms: [{ name: 'fin-app01', result: 'Failed', reason: TIMEOUT }, 'fin-db01'],
      failureMessage: `1 of 2 VMs failed to sync: fin-app01. ${TIMEOUT}`,
    });
  }
  return s.build();
}

export interface EstateOptions {
  /** Replica job sessions to make, retries included (default 50,000). */
  sessions?: number;
  /** Share of runs with a failed VM (default 0.1); half as many again end with a warning. */
  failedRatio?: number;
  vmsPerSession?: number;
  cdpPolicies?: number;
  seed?: number | string;
  now?: string;
}

/**
 * A large estate over the 30 days before `now`: about hourly runs of as many jobs as it takes (on three backup
 * servers), failures followed by an automatic retry that recovers seven times out of ten, and daily CDP
 * policy sessions. 50,000 sessions with 4 VMs each take about a second and a few hundred MB.
 */
export function generateEstate({
  sessions = 50_000,
  failedRatio = 0.1,
  vmsPerSession = 4,
  cdpPolicies = 4,
  seed = 1,
  now = currentMinute(),
}: EstateOptions = {}): Scenario {
  const s = new ScenarioBuilder({ now, seed });
  const random = s.random;
  const from = Date.parse(s.now) - 30 * DAY;
  const servers = ['vbr01.tech.local', 'vbr02.tech.local', 'vbr03.tech.local'];
  const jobs = Array.from({ length: Math.max(1, Math.ceil(sessions / 720)) }, (_, j) => ({
    job: s.replicaJob(`Replica Job ${j + 1}`, { backupServer: servers[j % servers.length] }),
    vms: Array.from({ length: vmsPerSession }, (_, v) => `job${j + 1}-vm${v + 1}`),
  }));
  const rounds = Math.ceil(sessions / jobs.length);
  const interval = (30 * DAY) / rounds;
  let made = 0;
  for (let round = 0; round < rounds && made < sessions; round++) {
    for (const [j, { job, vms }] of jobs.entries()) {
      if (made >= sessions) break;
      const roll = random.next();
      const outcome = roll < failedRatio ? 'Failed' : roll < failedRatio * 1.5 ? 'Warning' : 'Success';
      const hit = random.int(0, vms.length - 1);
      const reasons = outcome === 'Failed' ? FAILURE_REASONS : WARNING_REASONS;
      job.run({
        start: new Date(from + round * interval + (j * interval) / jobs.length).toISOString(),
        durationMin: random.int(5, 25),
        vms: vms.map((name, v) =>
          v === hit && outcome !== 'Success' ? { name, result: outcome, reason: random.pick(reasons) } : name,
        ),
      });
      made++;
      if (outcome === 'Failed' && made < sessions) {
        job.retry({ recover: random.chance(0.7) });
        made++;
      }
    }
  }
  for (let p = 0; p < cdpPolicies; p++) {
    const policy = s.cdpPolicy(`CDP Policy ${p + 1}`, { backupServer: servers[p % servers.length] });
    for (let day = 0; day < 30; day++) {
      const failed = random.chance(failedRatio);
      policy.session({
        start: new Date(from + day * DAY + p * HOUR).toISOString(),
        vms: [
          `cdp${p + 1}-vm1`,
          failed ? { name: `cdp${p + 1}-vm2`, result: 'Failed', reason: TIMEOUT } : `cdp${p + 1}-vm2`,
        ],
        failureMessage: failed ? TIMEOUT : null,
      });
    }
  }
  return s.build();
}
