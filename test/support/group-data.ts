// Representative storms for the grouped renderings, produced by the engine itself from plain model data (as
// messages-data.ts does for single events): a datastore on srv02 fills and a host drops, and many jobs fail at once.

import type { AlertEvent } from '../../functions/alerts/event.ts';
import { type AlertGroup, groupAlerts } from '../../functions/messages/group.ts';
import { Harness, jobRun, settings } from './alerts-data.ts';
import { rpoViolated } from './messages-data.ts';

const FULL = (left: string) =>
  `Error: Target datastore "ds-replica-02" is running out of free space (${left} GB left, 40 GB required).`;

/** A replica job of the storm: its number, name, backup server, VM results and Veeam's reason per VM. */
interface StormJob {
  job: number;
  name: string;
  server: string;
  vms: [name: string, result: string, reason: string | null][];
  failureMessage?: string;
}

const STORM: StormJob[] = [
  {
    job: 1,
    name: 'SQL Replication',
    server: 'srv02.tech.local',
    vms: ['01', '02', '03', '04', '05'].map((n) => [`sql-vm-${n}`, 'Failed', FULL('0.4')]),
  },
  {
    job: 2,
    name: 'Exchange DR',
    server: 'srv02.tech.local',
    vms: [
      ['exch-mb01', 'Failed', `${FULL('0.4')}\nProcessing finished with errors.`],
      ['exch-mb02', 'Failed', FULL('0.4')],
      ['exch-cas01', 'Success', null],
    ],
  },
  {
    job: 3,
    name: 'ERP Replica',
    server: 'srv02.tech.local',
    vms: [['erp-app01', 'Failed', 'Error: Failed to create VM snapshot. Cannot quiesce the file system.']],
  },
  {
    job: 4,
    name: 'Web Farm',
    server: 'srv01.tech.local',
    vms: [
      ...['01', '02', '03', '04'].map((n): [string, string, string] => [
        `web-${n}`,
        'Failed',
        'Error: Host esx05.tech.local is not responding (connection timed out).',
      ]),
      ...['05', '06', '07', '08', '09', '10', '11', '12'].map((n): [string, string, null] => [
        `web-${n}`,
        'Success',
        null,
      ]),
    ],
  },
  {
    job: 5,
    name: 'Domain Controllers',
    server: 'srv01.tech.local',
    vms: [
      ['dc01', 'Failed', 'Error: Host esx05.tech.local is not responding (connection timed out).'],
      ['dc02', 'Warning', 'Changed block tracking cannot be enabled: the VM has snapshots.'],
    ],
  },
  {
    job: 6,
    name: 'Print Servers',
    server: 'srv01.tech.local',
    vms: [
      ['print01', 'Failed', null],
      ['print02', 'Failed', null],
    ],
    failureMessage: 'Processing finished with errors: target host esx05.tech.local is not responding.',
  },
  // The datastore's other tenants: more jobs than a chat message lists.
  ...['01', '02', '03', '04', '05', '06'].map(
    (n, i): StormJob => ({
      job: 7 + i,
      name: `VDI Pool ${n}`,
      server: 'srv02.tech.local',
      vms: [
        [`vdi-${n}-a`, 'Failed', FULL('0.4')],
        [`vdi-${n}-b`, 'Failed', FULL('0.4')],
      ],
    }),
  ),
];

/** The `n`-th run of a storm job, from `start` to ten minutes later, with `result` and its VMs' results. */
function stormRun(job: StormJob, spec: { n: number; start: number; result?: string }) {
  const failed = spec.result === 'Failed' || spec.result === 'Warning';
  const run = jobRun(
    {
      job: job.job,
      jobName: job.name,
      server: job.server,
      n: spec.n,
      start: spec.start,
      end: spec.start + 10,
      result: spec.result ?? 'Success',
      failureMessage: failed ? (job.failureMessage ?? null) : null,
    },
    job.vms.map(([, result]) => (failed ? result : 'Success')),
  );
  run.tasks.forEach((task, i) => {
    const [vm, , reason] = job.vms[i] ?? [];
    task.vmDisplayName = vm ?? task.vmDisplayName;
    task.reason = failed ? (reason ?? null) : null;
  });
  return run;
}

/** The one group `events` make (as if more than `groupAbove` were sent at once). */
function groupOf(events: AlertEvent[]): AlertGroup {
  const [group, ...others] = groupAlerts(events, 1).groups;
  if (!group || others.length) throw new Error(`expected one group of ${events.length} events`);
  return group;
}

/** Every storm job ran fine at 05:00 and failed at 06:10; the poll at 06:40 sends their failures. */
function storm(config = settings()) {
  const h = new Harness(config);
  h.poll({ now: 320, replica: STORM.map((job) => stormRun(job, { n: 1, start: 300 })) });
  const failures = h.poll({
    now: 400,
    replica: STORM.map((job) => stormRun(job, { n: 2, start: 370, result: 'Failed' })),
  });
  return { h, failures };
}

export const stormFailure = (): AlertGroup => groupOf(storm().failures);

/** The failed jobs still failing an hour later (with `repeat` at 60 minutes), without a run since. */
export const stormReminder = (): AlertGroup => {
  const { h } = storm(settings({ repeat: 60 }));
  return groupOf(h.poll({ now: 465 }));
};

/** The datastore got space: every job's next run succeeds. */
export const stormResolved = (): AlertGroup => {
  const { h } = storm();
  return groupOf(h.poll({ now: 520, replica: STORM.map((job) => stormRun(job, { n: 3, start: 490 })) }));
};

/** The storm came inside a maintenance window (06:00-07:00): its failures are sent when the window closes. */
export const stormAfterMaintenance = (): AlertGroup => {
  const window = { name: 'Datastore upgrade', days: ['Tue' as const], start: '06:00', duration: 60 };
  const { h, failures } = storm(settings({ maintenance: [window] }));
  if (failures.length) throw new Error('the window should hold the failures');
  return groupOf(h.poll({ now: 425 }));
};

/** Three jobs end with warnings in one poll. */
export const warningGroup = (): AlertGroup => {
  const h = new Harness();
  const warned = STORM.slice(1, 4).map((job) => ({
    ...job,
    vms: job.vms.map(([vm], i): [string, string, string | null] =>
      i === 0
        ? [
            vm,
            'Warning',
            'Changed block tracking cannot be enabled: the VM has snapshots. Full scan was used.',
          ]
        : [vm, 'Success', null],
    ),
  }));
  h.poll({ now: 320, replica: warned.map((job) => stormRun(job, { n: 1, start: 300 })) });
  return groupOf(
    h.poll({
      now: 400,
      replica: warned.map((job) => stormRun(job, { n: 2, start: 370, result: 'Warning' })),
    }),
  );
};

/** Four daily jobs on srv01 that stopped running when the server went down. */
export const staleGroup = (): AlertGroup => {
  const h = new Harness();
  const names = ['File Server Replica', 'HR Apps Replica', 'Intranet Replica', 'Mail Relay Replica'];
  h.poll({
    now: 30,
    replica: names.flatMap((jobName, j) =>
      [1, 2, 3, 4].map((d) =>
        jobRun({
          job: 20 + j,
          jobName,
          server: 'srv01.tech.local',
          n: d,
          start: d * 1440 - 1440 + j * 5,
          end: d * 1440 - 1420 + j * 5,
        }),
      ),
    ),
  });
  return groupOf(h.poll({ now: 3 * 1440 + 73 * 60 }));
};

/** Three CDP policies whose VMs cannot sync: their target host is down. */
export const cdpGroup = (): AlertGroup => {
  const h = new Harness();
  const policies = {
    'CDP Tier-1 Apps': ['web01', 'web02', 'db01'],
    'CDP SAP': ['sap01', 'sap02'],
    'CDP Web': ['fe01'],
  };
  const cdp = Object.entries(policies).map(([jobName, vms], p) => rpoViolated(vms, { jobName, job: 50 + p }));
  return groupOf(h.poll({ now: 120, cdp }));
};

export const REPRESENTATIVE_GROUPS: Record<string, () => AlertGroup> = {
  'group-failure': stormFailure,
  'group-warning': warningGroup,
  'group-reminder': stormReminder,
  'group-resolved': stormResolved,
  'group-stale': staleGroup,
  'group-cdp': cdpGroup,
  'group-after-maintenance': stormAfterMaintenance,
};
