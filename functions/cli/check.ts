// `replica-alerts check`: a preflight for a new setup. Logs on (which proves reachability, TLS and the
// credentials), reads the API versions, asks each of the four query types for one row, logs off, and prints a
// table. Exit 0 only when every step passed.

import { readFileSync } from 'node:fs';
import { EmSession } from '../em/client.ts';
import { EmError } from '../em/errors.ts';
import { ENTITY_TYPES } from '../em/model.ts';
import { parse, UsageError } from './args.ts';
import type { Io } from './io.ts';

export const CHECK_HELP = `Usage: replica-alerts check --em-url URL [--ca-file PEM] [--password-stdin]

Checks that replica-alerts can use an Enterprise Manager: reachability, TLS, logon, the API version, read access
to ReplicaJobSession, ReplicaTaskSession, CdpReplicaSession and CdpReplicaTaskSession, and logoff.
Credentials from EM_USERNAME and EM_PASSWORD (or --password-stdin). Exit 0 only when every check passes.`;

const OPTIONS = {
  'em-url': { type: 'string' },
  'ca-file': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
} as const;

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, OPTIONS, 'replica-alerts check');
  if (values.help) {
    io.out(CHECK_HELP);
    return 0;
  }
  const url = values['em-url'];
  if (!url) throw new UsageError('--em-url is required.');
  const username = io.env.EM_USERNAME ?? '';
  const password = values['password-stdin']
    ? (await io.readStdin()).replace(/\r?\n$/, '')
    : (io.env.EM_PASSWORD ?? '');
  if (!username || !password)
    throw new UsageError('Set EM_USERNAME and EM_PASSWORD (or use --password-stdin).');
  const rows: [string, boolean, string][] = [];
  let em: EmSession | undefined;
  try {
    em = await EmSession.open({
      name: url,
      url,
      credentials: { username, password },
      caPem: values['ca-file'] ? readFileSync(values['ca-file'], 'utf8') : undefined,
      insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
      retry: { attempts: 1 },
      warn: (m) => io.err(`warning: ${m}`),
    });
    rows.push(['reach, TLS and logon', true, `logged on as ${username}`]);
    const versions = await em.apiVersions();
    rows.push(['API version', versions.length > 0, versions.join(', ') || 'none listed']);
    for (const type of ENTITY_TYPES) {
      try {
        for await (const page of em.query(type, { pageSize: 1 })) {
          rows.push([`read ${type}`, true, page.length ? 'readable' : 'readable (no rows)']);
          break;
        }
      } catch (error) {
        rows.push([`read ${type}`, false, message(error)]);
      }
    }
  } catch (error) {
    rows.push([rows.length ? 'API version' : 'reach, TLS and logon', false, message(error)]);
  } finally {
    if (em) {
      await em.close();
      rows.push(['logoff', true, 'logon session deleted']);
    }
  }
  const width = Math.max(...rows.map(([step]) => step.length));
  for (const [step, ok, detail] of rows) io.out(`${ok ? 'PASS' : 'FAIL'}  ${step.padEnd(width)}  ${detail}`);
  return rows.every(([, ok]) => ok) ? 0 : 1;
}

function message(error: unknown): string {
  if (error instanceof EmError) return error.message.replace(/^Enterprise Manager "[^"]*": /, '');
  return error instanceof Error ? error.message : String(error);
}
