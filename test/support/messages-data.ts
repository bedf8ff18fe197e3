// Representative events for the renderer tests, produced by the engine itself from plain model data.

import type { AlertEvent } from '../../functions/alerts/event.ts';
import type { Silence } from '../../functions/alerts/silence.ts';
import { at, cdpSession, cdpTask, Harness, jobRun, jobSchedule, settings } from './alerts-data.ts';

const first = (events: AlertEvent[], kind: AlertEvent['event']): AlertEvent => {
  const event = events.find((e) => e.event === kind);
  if (!event) throw new Error(`no ${kind} event`);
  return event;
};

const REASONS: Record<string, string> = {
  'sql-vm-01':
    'Error: Failed to create VM snapshot. Cannot quiesce the file system: VSS writer "SqlServerWriter" timed out.',
  'sql-vm-03':
    'Error: Target datastore "ds-replica-02" is running out of free space (2.1 GB left, 40 GB required).\nProcessing finished with errors.',
};

/** The `n`-th run of the SQL job, ten minutes from `start`: Failed, on the first of its two VMs. */
const failedRun = (n: number, start: number) =>
  jobRun({ n, start, end: start + 10, result: 'Failed' }, ['Failed', 'Success']);

/** A replica job whose run failed on 2 of 5 VMs after two retries. */
export function jobFailure(): AlertEvent {
  const h = new Harness();
  const results = ['Failed', 'Success', 'Failed', 'Success', 'Success'];
  const run = (n: number, start: number, end: number, isRetry: boolean) => {
    const r = jobRun({ n, start: 330 + start, end: 330 + end, result: 'Failed', isRetry }, results);
    for (const t of r.tasks) t.reason = REASONS[t.vmDisplayName] ?? null;
    return r;
  };
  h.poll({ now: 400, replica: [run(1, 0, 11, false), run(2, 21, 30, true), run(3, 40, 51, true)] });
  return first(h.sent, 'failure');
}

/**
 * A replica job failing on VSS, in Veeam's own wording (the KB texts of hints/catalogue.ts): one VM with a hint,
 * one with two (the more specific first), one whose reason no hint knows (the generic steps are for it).
 */
export function jobFailureHints(): AlertEvent {
  const h = new Harness();
  const r = jobRun({ job: 4, jobName: 'Mail Replication', n: 1, start: 300, end: 340, result: 'Failed' }, [
    'Failed',
    'Failed',
    'Failed',
    'Success',
  ]);
  const reasons = [
    'Error: VSSControl: Failed to freeze guest, wait timeout',
    'Error: Unfreeze error:[Backup job failed]\nCannot create  shadow copy of the volumes containing writer’s data\n' +
      "A VSS critical writer has failed. Writer name: [Microsoft Exchange Writer]. Class ID: [{76fe1ac4-15f7-4bcd-987e-8e1acb462fb7}]. Instance ID: [{0db23250-4d1e-42c1-8d14-2be32f448184}]. Writer's state: [VSS_WS_FAILED_AT_FREEZE]. Error code: [0x800423f2].]",
    REASONS['sql-vm-03'] ?? null,
  ];
  r.tasks.forEach((t, i) => {
    t.vmDisplayName = ['mail-01', 'mail-02', 'mail-03', 'mail-04'][i] ?? t.vmDisplayName;
    if (i < reasons.length) t.reason = reasons[i] ?? null;
  });
  h.poll({ now: 360, replica: [r] });
  return first(h.sent, 'failure');
}

export function jobWarning(): AlertEvent {
  const h = new Harness();
  const r = jobRun({ job: 2, jobName: 'Exchange DR', n: 1, start: 120, end: 185, result: 'Warning' }, [
    'Warning',
    'Success',
    'Success',
  ]);
  const [warned] = r.tasks;
  if (warned)
    warned.reason = 'Changed block tracking cannot be enabled: the VM has snapshots. Full scan was used.';
  h.poll({ now: 210, replica: [r] });
  return first(h.sent, 'failure');
}

export function jobResolved(): AlertEvent {
  const h = new Harness();
  h.poll({ now: 30, replica: [failedRun(1, 0)] });
  h.poll({ now: 90, replica: [failedRun(2, 60)] });
  h.poll({ now: 150, replica: [jobRun({ n: 3, start: 120, end: 141 }, ['Success', 'Success'])] });
  return first(h.sent, 'resolved');
}

export function jobReminder(): AlertEvent {
  const h = new Harness();
  for (let hour = 0; hour < 26; hour++) {
    h.poll({
      now: hour * 60 + 30,
      replica: [jobRun({ n: hour + 1, start: hour * 60, end: hour * 60 + 10, result: 'Failed' }, ['Failed'])],
    });
  }
  return first(h.sent, 'reminder');
}

/** A failing job that stopped running: its next reminder says since when no run has finished. */
export function jobReminderQuiet(): AlertEvent {
  const h = new Harness();
  h.poll({ now: 30, replica: [failedRun(1, 0)] });
  h.poll({ now: 2 * 1440 + 30 });
  return first(h.sent, 'reminder');
}

export function cdpFailure(): AlertEvent {
  const h = new Harness();
  const s = cdpSession({ n: 1, start: 0, end: null, jobName: 'CDP Tier-1 Apps' });
  const tasks = ['web01', 'web02', 'db01'].map((vm, i) =>
    cdpTask(s, {
      vm,
      n: 1,
      start: 0,
      end: 100 + i,
      result: i === 2 ? 'Warning' : 'Failed',
      reason: `RPO of 15 seconds violated: ${vm} could not sync for 10 minutes (host esx03 unreachable).`,
    }),
  );
  const rpo = { ...sqlSchedule({}), kind: 'cdp-policy' as const, uid: s.policyUid, rpo: { seconds: 15 } };
  h.poll({ now: 120, cdp: [{ session: s, tasks }], schedules: [rpo] });
  return first(h.sent, 'failure');
}

/** The CDP policy session of `cdpFailure` ending Failed the next day: Veeam's FailureMessage follows at once. */
/** A running CDP policy session whose VMs cannot sync (host esx03 down): its RPO is violated on each. */
export function rpoViolated(vms: string[], policy: { jobName: string; job?: number }) {
  const session = cdpSession({ ...policy, n: 1, start: 0, end: null });
  const tasks = vms.map((vm, i) =>
    cdpTask(session, {
      vm,
      n: 1,
      start: 0,
      end: 100 + i,
      result: 'Failed',
      reason: `RPO of 15 seconds violated: ${vm} could not sync for 10 minutes (host esx03 unreachable).`,
    }),
  );
  return { session, tasks };
}

export function cdpEnded(): AlertEvent {
  const h = new Harness();
  const running = rpoViolated(['web01', 'db01'], { jobName: 'CDP Tier-1 Apps' });
  h.poll({ now: 120, cdp: [running] });
  const ended = cdpSession({
    n: 1,
    start: 0,
    end: 1440,
    result: 'Failed',
    jobName: 'CDP Tier-1 Apps',
    failureMessage:
      'Policy session failed: 2 of 2 VMs are not protected.\nHost esx03.tech.local is not available (connection timed out).',
  });
  return first(h.poll({ now: 1445, cdp: [{ session: ended, tasks: running.tasks }] }), 'failure');
}

export function staleJob(): AlertEvent {
  const h = new Harness();
  h.poll({
    now: 30,
    replica: [1, 2, 3, 4].map((d) =>
      jobRun({ job: 3, jobName: 'File Server Replica', n: d, start: d * 1440 - 1440, end: d * 1440 - 1420 }),
    ),
  });
  h.poll({ now: 3 * 1440 + 73 * 60 });
  return first(h.sent, 'stale');
}

export function sourceUnreachable(): AlertEvent {
  const h = new Harness(settings());
  const error = {
    kind: 'tls',
    message:
      'Enterprise Manager "em-prod": the TLS certificate of em01.tech.local:9398 is not trusted (SELF_SIGNED_CERT_IN_CHAIN). Give the EM\'s CA certificate (PEM) with the CA option.',
  };
  for (const now of [5, 10, 15]) h.poll({ now, outcome: { ok: false, error } });
  return first(h.sent, 'source-unreachable');
}

/** Failures that came while a silence held the job: sent, saying so, at the first poll after it was removed. */
export function jobAfterSilence(): AlertEvent {
  const silence: Silence = {
    id: '5f3a9c1e',
    job: 'SQL*',
    server: null,
    em: null,
    from: at(0),
    until: at(600),
    untilResolved: false,
    reason: 'Replacing ds-replica-02; replication paused until the new datastore is in',
    by: 'alice@example.com',
  };
  const h = new Harness();
  h.poll({ now: 30, replica: [failedRun(1, 0)], silences: [silence] });
  h.poll({ now: 90, replica: [failedRun(2, 60)], silences: [silence] });
  h.poll({ now: 150 });
  return first(h.sent, 'failure');
}

/** A failure people were told of, resolved inside a maintenance window: its resolved is sent when it closes. */
export function jobResolvedAfterMaintenance(): AlertEvent {
  const window = { name: 'Patch night', days: ['Tue' as const], start: '01:00', duration: 240, job: 'SQL*' };
  const h = new Harness(settings({ maintenance: [window] }));
  h.poll({ now: 30, replica: [failedRun(1, 0)] });
  h.poll({ now: 100, replica: [jobRun({ n: 2, start: 80, end: 91 }, ['Success', 'Success'])] });
  h.poll({ now: 310 });
  return first(h.sent, 'resolved');
}

const sqlSchedule = jobSchedule;

/** An hourly job someone disabled, then enabled again. */
function scheduleChanges(): AlertEvent[] {
  const h = new Harness();
  const runs = [0, 60, 120].map((start, i) => jobRun({ n: i + 1, start, end: start + 9 }, ['Success']));
  h.poll({ now: 140, replica: runs, schedules: [sqlSchedule({ nextRun: at(180) })] });
  h.poll({ now: 150, schedules: [sqlSchedule({ scheduleEnabled: false })] });
  h.poll({ now: 400, schedules: [sqlSchedule({ nextRun: at(420) })] });
  return h.sent;
}

/** The hourly run due at 03:00 did not start. */
export function jobMissedRun(): AlertEvent {
  const h = new Harness();
  const runs = [0, 60, 120].map((start, i) => jobRun({ n: i + 1, start, end: start + 9 }, ['Success']));
  h.poll({ now: 140, replica: runs, schedules: [sqlSchedule({ nextRun: at(180) })] });
  h.poll({ now: 215, schedules: [sqlSchedule({ nextRun: at(180) })] });
  return first(h.sent, 'stale');
}

/** Runs of about 40 minutes; the one started at 03:00 is still running at 05:05. */
function longRun(): AlertEvent[] {
  const h = new Harness();
  const runs = [0, 60, 120].map((start, i) => jobRun({ n: i + 1, start, end: start + 40 }, ['Success']));
  h.poll({ now: 170, replica: runs });
  h.poll({ now: 305, replica: [jobRun({ n: 4, start: 180 })] });
  h.poll({ now: 330, replica: [jobRun({ n: 4, start: 180, end: 322 }, ['Success'])] });
  return h.sent;
}

export const REPRESENTATIVE: Record<string, () => AlertEvent> = {
  'job-failure': jobFailure,
  'job-failure-hints': jobFailureHints,
  'job-warning': jobWarning,
  'job-resolved': jobResolved,
  'job-reminder': jobReminder,
  'job-reminder-quiet': jobReminderQuiet,
  'cdp-failure': cdpFailure,
  'cdp-ended': cdpEnded,
  'job-stale': staleJob,
  'source-unreachable': sourceUnreachable,
  'job-after-silence': jobAfterSilence,
  'job-resolved-after-maintenance': jobResolvedAfterMaintenance,
  'job-schedule-disabled': () => first(scheduleChanges(), 'schedule-disabled'),
  'job-schedule-enabled': () => first(scheduleChanges(), 'schedule-enabled'),
  'job-missed-run': jobMissedRun,
  'job-long-run': () => first(longRun(), 'long-run'),
  'job-long-run-ended': () => first(longRun(), 'long-run-ended'),
};
