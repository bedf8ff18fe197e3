// `replica-alerts check`: a preflight for a new setup. Logs on (which proves reachability, TLS and the
// credentials), reads the API versions and the backup servers, sends every shape of query a poll sends (an EM
// that refuses one would fail every poll), reads the job and CDP policy schedules (optional: a WARN without them),
// logs off, and prints a table. Exit 0 only when every step passed or warned.

import { EmSession } from '../em/client.ts';
import { EmError } from '../em/errors.ts';
import { SCHEDULE_TYPES } from '../em/model.ts';
import { describeSchedules, readSchedules } from '../em/schedules.ts';
import { probes } from '../poller/filters.ts';
import { EM_HELP, EM_OPTIONS, emAccess, emUrl, parse, UsageError } from './args.ts';
import type { Io } from './io.ts';

export const CHECK_HELP = `Usage: replica-alerts check --em-url URL [options]

Checks that replica-alerts can use an Enterprise Manager: reachability, TLS, logon, the API version, the list of
backup servers, every kind of query a poll sends (sessions by time window, by backup server and by UID, and their
per-VM task sessions; replica and CDP), the replica job and CDP policy schedules, and logoff. A refused query is
named with what it means (after a failed logon, the other steps are listed as SKIP). A backup server list or
schedules the account may not read are a WARN: reading schedules needs the EM role Portal Administrator, and
without them schedule-aware rules fall back to the median gap between runs.

  --em-url URL           the EM REST API, e.g. https://em.example.com:9398/api/
  --no-cdp               skip the CDP queries and policies (an EM without CDP, or polled with --no-cdp)
${EM_HELP}

Exit codes: 0 every step passed; 1 a step failed; 2 bad usage.`;

const OPTIONS = {
  'em-url': { type: 'string' },
  'no-cdp': { type: 'boolean' },
  ...EM_OPTIONS,
} as const;

type Row = [step: string, result: 'PASS' | 'FAIL' | 'SKIP' | 'WARN', detail: string];

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, OPTIONS, 'replica-alerts check');
  if (values.help) {
    io.out(CHECK_HELP);
    return 0;
  }
  const url = values['em-url'];
  if (!url) throw new UsageError('--em-url is required.');
  emUrl(url);
  const { credentials, caPem } = await emAccess(values, io);
  const rows: Row[] = [];
  const fail = (name: string, error: unknown) => {
    rows.push([name, 'FAIL', message(error)]);
    if (values.debug && error instanceof Error && error.stack) io.err(error.stack);
  };
  const step = async (name: string, run: () => Promise<string>) => {
    try {
      rows.push([name, 'PASS', await run()]);
    } catch (error) {
      fail(name, error);
    }
  };
  const session = await EmSession.open({
    name: url,
    url,
    credentials,
    caPem,
    insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
    retry: { attempts: 1 },
    warn: (warning) => io.err(`warning: ${warning}`),
  }).catch((error: unknown) => fail('reach, TLS and logon', error));
  const shapes = probes(new Date()).filter((probe) => !values['no-cdp'] || !probe.type.startsWith('Cdp'));
  const schedules = SCHEDULE_TYPES.filter((type) => !values['no-cdp'] || type !== 'CdpPolicy');
  if (!session) {
    const steps = ['API version', 'backup servers', ...shapes.map((p) => `query ${p.name}`)];
    for (const name of [...steps, ...schedules.map(scheduleStep), 'logoff'])
      rows.push([name, 'SKIP', 'not logged on']);
  } else {
    rows.push(['reach, TLS and logon', 'PASS', `logged on as ${credentials.username}`]);
    await step('API version', async () => {
      const versions = await session.apiVersions();
      if (!versions.length) throw new Error('none listed');
      return versions.join(', ');
    });
    try {
      const servers = await session.backupServers();
      rows.push(['backup servers', 'PASS', servers.map((s) => s.name).join(', ') || 'none listed']);
    } catch (error) {
      // Polls go on without it: a backup server new to replica-alerts is then read only from the last poll on.
      if (!(error instanceof EmError)) throw error;
      rows.push([
        'backup servers',
        'WARN',
        `${message(error)} Late sessions of new backup servers may be missed.`,
      ]);
    }
    for (const probe of shapes) {
      try {
        for await (const _ of session.query(probe.type, { filter: probe.filter, pageSize: 1 })) break;
        rows.push([`query ${probe.name}`, 'PASS', 'accepted']);
      } catch (error) {
        rows.push([`query ${probe.name}`, 'FAIL', `${message(error)} ${probe.refused}`]);
        if (values.debug) io.err(`filter: ${probe.filter}`);
      }
    }
    for (const type of schedules) {
      const read = await readSchedules(session, type);
      // Polls go on without them (schedule-aware rules fall back), so a refusal or a problem warns.
      rows.push([
        scheduleStep(type),
        read.available && !read.problemCount ? 'PASS' : 'WARN',
        describeSchedules(read),
      ]);
    }
    await step('logoff', async () => {
      const failure = await session.close();
      if (failure) throw failure;
      return 'logon session deleted';
    });
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, result, detail] of rows) io.out(`${result}  ${name.padEnd(width)}  ${detail}`);
  return rows.every(([, result]) => result === 'PASS' || result === 'WARN') ? 0 : 1;
}

const scheduleStep = (type: string) => `schedules query?type=${type}`;

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Enterprise Manager "[^"]*": /, '');
}
