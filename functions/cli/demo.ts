// `replica-alerts demo` (and `npm start`): the whole product against the built-in EM simulator, in under a
// minute, with no AWS account and no network. It polls the simulator's demo day into a temporary state store,
// prints each alert as people receive it (e-mail, SMS, Slack via AWS Chatbot), then moves the simulated clock
// on to show a recovered retry, a reminder and a "resolved"; a job that silently stopped running goes stale. The EM
// behaves as a real one: collected every 15 minutes, and one backup server on a fast clock, reached late.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type Settings } from '../alerts/index.ts';
import { MINUTE } from '../duration.ts';
import type { ReplicaJobSession } from '../em/model.ts';
import type { Channel } from '../messages/types.ts';
import type { Notifier, Publication } from '../notify/notifier.ts';
import { sendDigest } from '../poller/digest.ts';
import { type Log, pollEm } from '../poller/poll.ts';
import {
  DEFAULT_USER,
  demoDay,
  type Scenario,
  ScenarioBuilder,
  startSimulator,
  type User,
} from '../simulator/index.ts';
import { DynamoStateStore } from '../state/dynamo.ts';
import { ensureTable, localClient, startDynalite } from '../state/local.ts';
import { parse } from './args.ts';
import type { Io } from './io.ts';

const DEMO_HELP = `Usage: replica-alerts demo

Starts the built-in Enterprise Manager simulator (HTTPS with its own CA) on a realistic day, polls it as the
Lambda would, and prints the alerts people would receive by e-mail, SMS and Slack. Nothing leaves this machine.`;

/** Prints each publication as a person would see it; delivery is the printing. */
class PreviewNotifier implements Notifier {
  readonly channels: readonly Channel[] = ['email', 'sms', 'chat'];
  constructor(private readonly io: Io) {}

  async publish({ channel, subject, message, attributes }: Publication): Promise<void> {
    const indent = (text: string) => text.replace(/^/gm, '    ');
    if (channel === 'email') {
      const tag = /^\[([^\]]+)\]/.exec(subject ?? '')?.[1] ?? String(attributes.event ?? '').toUpperCase();
      this.io.out(`\n=== ${tag} ${'='.repeat(70 - (tag?.length ?? 0))}`);
      this.io.out(`E-mail  Subject: ${subject}\n${indent(message.trimEnd())}`);
    } else if (channel === 'sms') {
      // The stack subscribes phone numbers with a filter on alertSeverity=Failed: say when one would not get it.
      const filtered = attributes.alertSeverity === 'Failed' ? '' : ' (not sent by the default SMS filter)';
      this.io.out(`SMS     ${message}${filtered}`);
    } else {
      const { content } = JSON.parse(message) as { content: { title: string; description: string } };
      this.io.out(`Slack   ${content.title}\n${indent(content.description)}`);
    }
  }
}

/**
 * Adds a job that ran every two hours until yesterday evening and then did not start when its schedule said (a
 * missed run: the EM's NextRun passed), and one whose run has been going for three hours where it takes 20 minutes.
 */
function withStoppedJob(day: Scenario): Scenario {
  const builder = new ScenarioBuilder({ now: day.now, seed: 'stopped-job' });
  const ago = (hours: number) => new Date(Date.parse(day.now) - hours * 60 * MINUTE);
  const crm = builder.replicaJob('Legacy CRM Replica', { backupServer: 'vbr02.tech.local' });
  for (let hoursAgo = 24; hoursAgo >= 10; hoursAgo -= 2)
    crm.run({ start: ago(hoursAgo), vms: ['crm01', 'crm02'] });
  crm.schedule({ at: ago(8) });
  const files = builder.replicaJob('File Server Replica', { backupServer: 'vbr01.tech.local' });
  for (const hoursAgo of [12, 9, 6]) files.run({ start: ago(hoursAgo), durationMin: 20, vms: ['fs01'] });
  files.run({ start: ago(3), durationMin: null, vms: ['fs01'] });
  files.schedule({ at: ago(3), everyMin: 180 });
  const extra = builder.build();
  return {
    ...day,
    replicaJobSessions: [...day.replicaJobSessions, ...extra.replicaJobSessions],
    replicaTaskSessions: [...day.replicaTaskSessions, ...extra.replicaTaskSessions],
    jobs: [...(day.jobs ?? []), ...(extra.jobs ?? [])],
  };
}

const BRANCH = 'vbr03.branch.local';
/** What a real EM does to the branch office's backup server: its clock runs 40 minutes fast, and the EM has not
 * reached it for three hours (it catches up later, all at once); every server is collected every 15 minutes with
 * its VMs a collection later, and an empty answer is a bare `<Entities />`. */
const BRANCH_CLOCK = { clockOffsetMs: 40 * MINUTE };
const COLLECTION = { collectionPeriodMs: 15 * MINUTE, taskDelayMs: 15 * MINUTE };

/** Adds a branch office job whose latest run failed 2.5 hours ago, while the EM could not reach its server. */
function withBranchOffice(day: Scenario): Scenario {
  const builder = new ScenarioBuilder({ now: day.now, seed: 'branch-office' });
  const branch = builder.replicaJob('Branch Office Replica', { backupServer: BRANCH });
  const ago = (minutes: number) => new Date(Date.parse(day.now) - minutes * MINUTE);
  branch.run({ start: ago(8 * 60), vms: ['br-dc01', 'br-fs01'] });
  branch.run({ start: ago(5 * 60), vms: ['br-dc01', 'br-fs01'] });
  branch.run({
    start: ago(150),
    vms: ['br-dc01', { name: 'br-fs01', result: 'Failed', reason: BRANCH_REASON }],
  });
  const extra = builder.build();
  return {
    ...day,
    backupServers: [...day.backupServers, ...extra.backupServers],
    replicaJobSessions: [...day.replicaJobSessions, ...extra.replicaJobSessions],
    replicaTaskSessions: [...day.replicaTaskSessions, ...extra.replicaTaskSessions],
  };
}
const BRANCH_REASON = 'Error: Cannot connect to host esx-branch01.branch.local: Connection timed out';

/** A successful run of a job, starting now and ending ten minutes later (VMs omitted: none failed). */
function nextRun(scenario: Scenario, now: string, jobName: string): ReplicaJobSession {
  const last = scenario.replicaJobSessions.filter((s) => s.jobName === jobName).at(-1);
  if (!last) throw new Error(`The demo day has no job ${jobName}`);
  const start = new Date(now);
  return {
    ...last,
    uid: `urn:veeam:ReplicaJobSession:${randomUUID()}`,
    name: `${jobName}@${now.slice(0, 19).replace('T', ' ')}`,
    creationTime: start.toISOString(),
    endTime: new Date(start.getTime() + 10 * MINUTE).toISOString(),
    state: 'Stopped',
    result: 'Success',
    isRetry: false,
    failureMessage: null,
  };
}

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {}, 'replica-alerts demo');
  if (values.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  const scenario = withBranchOffice(withStoppedJob(demoDay()));
  // The role that may read schedules (query?type=Job), as an admin would grant it for the schedule-aware rules.
  const user: User = { ...DEFAULT_USER, role: 'portal-administrator' };
  const sim = await startSimulator({
    scenario,
    users: [user],
    tls: true,
    emptyAnswer: 'bare-entities',
    backupServers: Object.fromEntries(
      scenario.backupServers.map((server) => [
        server.name,
        server.name === BRANCH
          ? { ...COLLECTION, ...BRANCH_CLOCK, collectionDelayMs: 3 * 60 * MINUTE }
          : COLLECTION,
      ]),
    ),
  });
  const dir = mkdtempSync(join(tmpdir(), 'replica-alerts-demo-'));
  const dynamo = await startDynalite(dir);
  const client = localClient(dynamo.endpoint);
  try {
    await ensureTable(client, 'replica-alerts');
    const settings: Settings = { ...DEFAULT_SETTINGS, repeat: 60 }; // hourly reminders, so the demo shows one
    const quiet: Log = {
      info: () => {},
      warn: (m) => io.err(`warning: ${m}`),
      error: (m, e) => io.err(`error: ${m} ${String(e.reason ?? '')}`),
    };
    const deps = {
      store: new DynamoStateStore(client, 'replica-alerts'),
      notifier: new PreviewNotifier(io),
      credentials: async () => user,
      now: () => new Date(sim.clock.now()),
      log: quiet,
    };
    const target = { name: 'em-demo', url: sim.url, caCert: sim.caPem };
    const poll = async (title: string) => {
      io.out(`\n##### ${sim.clock.now().slice(0, 16).replace('T', ' ')} UTC: ${title}`);
      const summary = await pollEm(target, deps, { settings });
      io.out(
        `\n(${summary.sessionsRead} sessions read in ${summary.emRequests} EM requests; ` +
          `${summary.eventsDecided} alert${summary.eventsDecided === 1 ? '' : 's'}; ` +
          `${sim.openSessions()} EM logon sessions left open)`,
      );
    };
    io.out(`Enterprise Manager simulator: ${sim.url} (HTTPS, verified against its own CA)`);
    io.out('Settings: retry hold 15 min, reminders every 60 min (24 h by default), lookback 24 h.');
    await poll(
      'first poll: the last 24 hours (Büro "Nord" Replica failed 5 minutes ago: held while Veeam retries it; ' +
        'Legacy CRM Replica missed the run its schedule said; File Server Replica has run 3 h, not its usual 20 min)',
    );
    sim.clock.advance(30 * MINUTE);
    await poll(
      '30 minutes later: the retry of Büro "Nord" Replica succeeded, so its failure is never sent (and Web Farm ' +
        "Replica's run goes on far longer than its usual 10 minutes)",
    );
    sim.clock.advance(45 * MINUTE);
    sim.setServerTiming(BRANCH, { ...COLLECTION, ...BRANCH_CLOCK });
    await poll(
      '75 minutes later: still failing, so a reminder (and the EM reaches the branch office again: its backlog ' +
        'arrives, with a failure from 2.5 hours ago, held while a late retry could still arrive)',
    );
    sim.add({ replicaJobSessions: [nextRun(scenario, sim.clock.now(), 'Exchange DR')] });
    sim.clock.advance(30 * MINUTE);
    await poll(
      'the ESXi host is back and the next Exchange DR run succeeds: resolved; the branch office failure the EM ' +
        'collected late is sent now, not lost',
    );
    io.out(
      `\n##### ${sim.clock.now().slice(0, 16).replace('T', ' ')} UTC: the morning digest, as the stack sends it daily`,
    );
    await sendDigest(target.name, deps, settings);
    io.out(
      '\nNext: `npx replica-alerts check --em-url https://<your-em>:9398/api/` against your own Enterprise ' +
        'Manager, then `npx cdk deploy` (docs/deploy.md).',
    );
    return 0;
  } finally {
    client.destroy();
    await dynamo.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
