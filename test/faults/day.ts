// The scripted day every fault trial replays: one EM, six replica jobs and two CDP policies, polled every 30
// minutes from 06:00 to 11:30 and then a few times more to let late deliveries settle. It exercises each
// event kind (failure, warning, severity rise, held retry that recovers, a retry chain that keeps failing, a
// long run remembered while running, a session the EM collects late, stale and its resolution, CDP syncs).

import type { Settings } from '../../functions/alerts/index.ts';
import { MINUTE } from '../../functions/duration.ts';
import {
  FAILURE_REASONS,
  type Scenario,
  ScenarioBuilder,
  WARNING_REASONS,
} from '../../functions/simulator/index.ts';

export const START = '2026-11-25T06:00:00Z';
const at = (hhmm: string, day = '2026-11-25') => `${day}T${hhmm}:00Z`;

/** Polls a fault may hit: every 30 minutes from START. */
export const SCHEDULED = 12;
/** Then settling polls 2 minutes apart, always healthy, so a fault in the last scheduled poll is recovered from. */
export const POLL_TIMES: string[] = [
  ...Array.from({ length: SCHEDULED }, (_, i) => new Date(Date.parse(START) + i * 30 * MINUTE).toISOString()),
  ...Array.from({ length: 4 }, (_, i) =>
    new Date(Date.parse(START) + ((SCHEDULED - 1) * 30 + 2 * (i + 1)) * MINUTE).toISOString(),
  ),
];

export interface Day {
  /** What the EM knows from the start (sessions show up as the clock reaches them). */
  scenario: Scenario;
  /** Sessions the EM learns about late, by the index of the poll before which they appear. */
  late: Map<number, Partial<Scenario>>;
  /** When to poll; default POLL_TIMES. */
  times?: string[];
  /** Changes to the poller's settings. */
  settings?: Partial<Settings>;
}

export function scriptedDay(): Day {
  const [snapshot = '', timeout = '', datastore = ''] = FAILURE_REASONS;
  const [truncate = '', cbt = ''] = WARNING_REASONS;
  const b = new ScenarioBuilder({ now: START, seed: 'fault-day' });

  const sql = b.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' });
  sql.run({ start: at('04:00'), durationMin: 20, vms: ['sql01', 'sql02'] });
  sql.run({
    start: at('05:00'),
    durationMin: 20,
    vms: [{ name: 'sql01', result: 'Failed', reason: snapshot }, 'sql02'],
  });
  sql.run({ start: at('07:10'), durationMin: 20, vms: ['sql01', 'sql02'] }); // resolves it

  const exchange = b.replicaJob('Exchange DR', { backupServer: 'vbr02.tech.local' });
  exchange.run({
    start: at('06:20'),
    durationMin: 25,
    vms: ['exch01', { name: 'exch02', result: 'Failed', reason: timeout }],
  });
  exchange.retry({ recover: true }); // the retry recovers: nothing is ever sent
  exchange.run({
    start: at('09:00'),
    durationMin: 25,
    vms: [{ name: 'exch02', result: 'Failed', reason: timeout }],
  });
  for (let i = 0; i < 3; i++) exchange.retry({ recover: false }); // one failure with its retry count

  const files = b.replicaJob('Fileserver02 Replication', { backupServer: 'vbr01.tech.local' });
  files.run({ start: at('06:40'), durationMin: 35, vms: [{ name: 'fs02', result: 'Warning', reason: cbt }] });
  files.run({
    start: at('08:40'),
    durationMin: 20,
    vms: [{ name: 'fs02', result: 'Failed', reason: datastore }],
  });

  const web = b.replicaJob('Web Farm Replica', { backupServer: 'vbr02.tech.local' });
  web.run({
    start: at('07:50'),
    durationMin: 100,
    vms: ['web01', { name: 'web02', result: 'Failed', reason: snapshot }],
  });

  const archive = b.replicaJob('Archive Replica', { backupServer: 'vbr01.tech.local' });
  for (let h = 0; h < 6; h++) archive.run({ start: at(`0${h}:10`), durationMin: 15, vms: ['arc01'] });
  archive.run({ start: at('10:00'), durationMin: 10, vms: ['arc01'] }); // back after going stale

  const tier1 = b.cdpPolicy('CDP Tier1', { backupServer: 'vbr01.tech.local' });
  const finance = b.cdpPolicy('CDP Finance', { backupServer: 'vbr02.tech.local' });
  tier1.session({ start: at('15:00', '2026-11-24'), vms: ['dc01', 'dc02'] });
  finance.session({
    start: at('15:00', '2026-11-24'),
    vms: [{ name: 'fin-app01', result: 'Failed', reason: truncate, syncs: 3 }, 'fin-db01'],
    failureMessage: 'fin-app01 failed to sync',
  });
  const scenario = b.build();

  // Collected late: it ended at 08:20, the EM only lists it from the 09:00 poll on (inside the poller's overlap).
  const branch = b.replicaJob('Branch Office', { backupServer: 'vbr02.tech.local' });
  branch.run({
    start: at('08:05'),
    durationMin: 15,
    vms: [{ name: 'br01', result: 'Failed', reason: timeout }],
  });
  const all = b.build();
  const late: Partial<Scenario> = {
    replicaJobSessions: all.replicaJobSessions.slice(scenario.replicaJobSessions.length),
    replicaTaskSessions: all.replicaTaskSessions.slice(scenario.replicaTaskSessions.length),
  };
  return { scenario, late: new Map([[POLL_TIMES.indexOf('2026-11-25T09:00:00.000Z'), late]]) };
}
