// `npm start`: starts the EM simulator (HTTPS, its own CA) on a realistic demo day, reads it with the EM client
// exactly as against a real Enterprise Manager, and prints the replica job runs and CDP policy sessions of the last
// 24 hours that ended Failed or Warning, with every VM that did not succeed and Veeam's reason.

import { withSession } from '../em/client.ts';
import { and, compare, enumMember, eq, or } from '../em/filter.ts';
import { type CdpRun, cdpRuns, type ReplicaRun, replicaRuns } from '../em/runs.ts';
import { DEFAULT_USER, demoDay, startSimulator } from '../simulator/index.ts';

const DAY = 24 * 3_600_000;

function minutes(from: string, to: string | null): string {
  return to ? `${Math.round((Date.parse(to) - Date.parse(from)) / 60_000)} min` : 'still running';
}

function printRun(kind: string, name: string, run: ReplicaRun | CdpRun): void {
  const { session, tasks } = run;
  const retry = 'isRetry' in session && session.isRetry ? ', retry' : '';
  console.log(
    `${session.result.toUpperCase().padEnd(8)} ${kind} "${name}" on ${session.backupServerName ?? 'unknown server'}` +
      `, started ${session.creationTime.slice(0, 16).replace('T', ' ')} UTC, ${minutes(session.creationTime, session.endTime)}${retry}`,
  );
  if (session.failureMessage) console.log(`         ${session.failureMessage}`);
  const bad = tasks.filter((t) => t.result !== 'Success');
  for (const task of bad)
    console.log(`         - ${task.vmDisplayName} (${task.result}): ${task.reason ?? 'no reason given'}`);
  console.log(`         ${bad.length} of ${tasks.length} VMs did not succeed\n`);
}

const sim = await startSimulator({ scenario: demoDay(), tls: true });
try {
  console.log(`Enterprise Manager simulator at ${sim.url} (HTTPS, certificate verified against its own CA)`);
  console.log(
    `Simulated time: ${sim.clock.now()}. Runs of the last 24 hours that ended Failed or Warning:\n`,
  );
  const since = new Date(Date.parse(sim.clock.now()) - DAY);
  const bad = or(eq('Result', enumMember('Warning')), eq('Result', enumMember('Failed')));
  await withSession(
    { name: 'demo-em', url: sim.url, caPem: sim.caPem, credentials: DEFAULT_USER },
    async (em) => {
      for await (const runs of replicaRuns(em, { filter: and(compare('CreationTime', '>=', since), bad) })) {
        for (const run of runs) printRun('replica job', run.session.jobName, run);
      }
      for await (const runs of cdpRuns(em, { filter: and(compare('CreationTimeUTC', '>=', since), bad) })) {
        for (const run of runs) printRun('CDP policy', run.session.policyName, run);
      }
      console.log(`${em.requestCount + 1} requests to the EM, logon and logoff included.`);
    },
  );
  console.log(`Logged off: ${sim.openSessions()} EM logon sessions left open.`);
} finally {
  await sim.close();
}
