// `replica-alerts check`: a preflight for a new setup. Logs on (which proves reachability, TLS and the
// credentials), reads the API versions, asks each of the four query types for one row, logs off, and prints a
// table. Exit 0 only when every step passed.

import { EmSession } from '../em/client.ts';
import { ENTITY_TYPES } from '../em/model.ts';
import { EM_HELP, EM_OPTIONS, emAccess, emUrl, parse, UsageError } from './args.ts';
import type { Io } from './io.ts';

export const CHECK_HELP = `Usage: replica-alerts check --em-url URL [options]

Checks that replica-alerts can use an Enterprise Manager: reachability, TLS, logon, the API version, read access
to ReplicaJobSession, ReplicaTaskSession, CdpReplicaSession and CdpReplicaTaskSession, and logoff (after a
failed logon, the other steps are listed as SKIP).

  --em-url URL           the EM REST API, e.g. https://em.example.com:9398/api/
${EM_HELP}

Exit codes: 0 every step passed; 1 a step failed; 2 bad usage.`;

const OPTIONS = {
  'em-url': { type: 'string' },
  ...EM_OPTIONS,
} as const;

type Row = [step: string, result: 'PASS' | 'FAIL' | 'SKIP', detail: string];

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
  if (!session) {
    for (const name of ['API version', ...ENTITY_TYPES.map((type) => `read ${type}`), 'logoff'])
      rows.push([name, 'SKIP', 'not logged on']);
  } else {
    rows.push(['reach, TLS and logon', 'PASS', `logged on as ${credentials.username}`]);
    await step('API version', async () => {
      const versions = await session.apiVersions();
      if (!versions.length) throw new Error('none listed');
      return versions.join(', ');
    });
    for (const type of ENTITY_TYPES) {
      await step(`read ${type}`, async () => {
        for await (const page of session.query(type, { pageSize: 1 })) {
          if (page.length) return 'readable';
          break;
        }
        return 'readable (no rows)';
      });
    }
    await step('logoff', async () => {
      const failure = await session.close();
      if (failure) throw failure;
      return 'logon session deleted';
    });
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, result, detail] of rows) io.out(`${result}  ${name.padEnd(width)}  ${detail}`);
  return rows.every(([, result]) => result === 'PASS') ? 0 : 1;
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Enterprise Manager "[^"]*": /, '');
}
