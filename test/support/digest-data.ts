// A morning digest of a representative estate, from states the engine itself produced (polls played through the
// Harness, as messages-data.ts does for single events): one job of each status, a silence, a CDP policy.

import type { Silence } from '../../functions/alerts/silence.ts';
import type { Schedule } from '../../functions/em/model.ts';
import { buildDigest, type Digest } from '../../functions/messages/digest.ts';
import { at, cdpSession, cdpTask, Harness, jobRun, jobSession, settings } from './alerts-data.ts';

const DAY = 1440;
export const BERLIN = settings({ timeZone: 'Europe/Berlin' });

interface EstateJob {
  job: number;
  name: string;
  server: string;
  /** Minutes after T0 its runs start (each takes 20 minutes), with their results (default Success). */
  runs: [start: number, result?: string][];
  /** Minutes after T0 a run started that has not ended by the last poll (no VM reported yet). */
  running?: number;
  /** As `query?type=Job` lists it; absent: not listed. */
  schedule?: Pick<Schedule, 'scheduleConfigured' | 'scheduleEnabled' | 'nextRun'>;
}

const daily = (hour: number, days: number[]) => days.map((d): [number] => [d * DAY + hour * 60]);

const ESTATE: EstateJob[] = [
  {
    job: 1,
    name: 'SQL Replication',
    server: 'srv02.tech.local',
    runs: [...daily(2, [-3, -2]), [-DAY + 120, 'Failed'], [120, 'Failed']],
  },
  {
    job: 2,
    name: 'Exchange DR',
    server: 'srv02.tech.local',
    runs: [...daily(3, [-3, -2, -1]), [180, 'Warning']],
  },
  // Ran twice, then stopped: stale after 26 h.
  { job: 3, name: 'File Server Replica', server: 'srv01.tech.local', runs: daily(1, [-3, -2]) },
  {
    job: 4,
    name: 'ERP Replica',
    server: 'srv02.tech.local',
    runs: [...daily(4, [-3, -2, -1]), [240, 'Failed']],
  },
  {
    job: 5,
    name: 'Print Servers',
    server: 'srv01.tech.local',
    runs: daily(1, [-3, -2, -1]),
    schedule: { scheduleConfigured: true, scheduleEnabled: true, nextRun: at(60) },
  },
  // Its last run ended 31 hours ago: no run in 24 h, though not yet stale (3 x the median gap).
  { job: 6, name: 'Web Farm', server: 'srv01.tech.local', runs: [...daily(0, [-3, -2]), [-DAY - 300]] },
  {
    job: 7,
    name: 'Domain Controllers',
    server: 'srv01.tech.local',
    runs: daily(4, [-3, -2, -1, 0]),
    schedule: { scheduleConfigured: true, scheduleEnabled: true, nextRun: at(DAY + 240) },
  },
  {
    job: 8,
    name: 'DR Test',
    server: 'srv01.tech.local',
    runs: [[-3 * DAY + 600]],
    schedule: { scheduleConfigured: false, scheduleEnabled: true, nextRun: null },
  },
  // Its runs take 20 minutes, so 1 h is the limit: the one started at 03:00 CEST has a long-run notice out.
  {
    job: 9,
    name: 'Mail Archive',
    server: 'srv02.tech.local',
    runs: daily(1, [-3, -2, -1]),
    running: 60,
  },
];

/** "I know, I'm on it": the ERP job's datastore is being replaced this morning. */
export const ERP_SILENCE: Silence = {
  id: '5f3a9c1e',
  job: 'ERP*',
  server: null,
  em: null,
  from: at(230),
  until: at(720),
  untilResolved: false,
  reason: 'ERP upgrade, replication paused',
  by: 'alice@example.com',
};

function runsBetween(from: number, to: number) {
  const within = (start: number) => start >= from && start < to;
  return ESTATE.flatMap((job) => {
    const spec = { job: job.job, jobName: job.name, server: job.server };
    const ended = job.runs
      .map(([start, result], n) => ({ start, result, n }))
      .filter(({ start }) => within(start))
      .map(({ start, result, n }) =>
        jobRun({ ...spec, n: n + 1, start, end: start + 20, result }, ['Success', result ?? 'Success']),
      );
    const { running } = job;
    return running !== undefined && within(running)
      ? [...ended, jobRun({ ...spec, n: job.runs.length + 1, start: running })]
      : ended;
  });
}

/** The schedules `query?type=Job` lists; `disabled` has Print Servers switched off. */
function schedules(disabled: boolean): Schedule[] {
  return ESTATE.flatMap(({ job, name, server, schedule }) => {
    if (!schedule) return [];
    const off = disabled && job === 5 ? { scheduleEnabled: false, nextRun: null } : {};
    const { jobUid } = jobSession({ job, n: 0, start: 0 });
    return [
      {
        kind: 'replica-job',
        uid: jobUid,
        name,
        ...schedule,
        ...off,
        backupServerUid: null,
        backupServerName: server,
      },
    ];
  });
}

/** The estate polled over three days, up to 06:55 CEST; and a CDP policy, today's session syncing since 01:00. */
export function estate(): Harness {
  const h = new Harness(BERLIN);
  const policy = { jobName: 'CDP Tier-1 Apps', start: -DAY - 60 };
  const yesterday = cdpSession({ ...policy, n: 1, end: -60, result: 'Success' });
  const today = cdpSession({ ...policy, n: 2, start: -60, end: null });
  const syncs = (session: typeof today, start: number, end: number) =>
    ['web01', 'db01'].map((vm) => cdpTask(session, { vm, n: 1, start, end }));
  const cdp = [
    { session: yesterday, tasks: syncs(yesterday, -DAY - 60, -120) },
    { session: today, tasks: syncs(today, -60, 240) },
  ];
  let from = -4 * DAY;
  for (const now of [-3 * DAY + 700, -2 * DAY + 700, -DAY + 700, 295]) {
    h.poll({
      now,
      replica: runsBetween(from, now),
      ...(now > 0 ? { cdp, silences: [ERP_SILENCE] } : {}),
      schedules: schedules(now > 0),
    });
    from = now;
  }
  return h;
}

/** The digest of the harness's EM at `now` (minutes after T0), with the silences stored then. */
export function digestOf(h: Harness, now: number, silences = [ERP_SILENCE], config = BERLIN): Digest {
  return buildDigest({
    em: 'em-prod',
    now: at(now),
    states: [...h.store.values()],
    silences,
    settings: config,
  });
}

/** The digest at 07:00 CEST. */
export const morningDigest = (): Digest => digestOf(estate(), 300);

/** The same estate, its EM unreachable since 07:00 CEST; the silence was removed. */
export function unreachableDigest(): Digest {
  const h = estate();
  const error = {
    kind: 'unreachable',
    message: 'Enterprise Manager "em-prod": connect ECONNREFUSED 10.0.0.5:9398.',
  };
  for (const now of [300, 305, 310]) h.poll({ now, outcome: { ok: false, error } });
  return digestOf(h, 315, []);
}

export const REPRESENTATIVE_DIGESTS: Record<string, () => Digest> = {
  'digest-morning': morningDigest,
  'digest-unreachable': unreachableDigest,
};
