// The `replica-alerts` command: poll, check, demo, silence, digest, hints.

import { SetupError, UsageError } from './args.ts';
import { checkCommand } from './check.ts';
import { demoCommand } from './demo.ts';
import { digestCommand } from './digest.ts';
import { hintsCommand } from './hints.ts';
import type { Io } from './io.ts';
import { pollCommand } from './poll.ts';
import { silenceCommand } from './silence.ts';

const HELP = `Usage: replica-alerts <command> [options]

Alerts on failed and warning Veeam Backup & Replication replica jobs and CDP policies, read from Veeam Backup
Enterprise Manager's REST API.

Commands:
  poll    poll Enterprise Managers once and deliver the alerts that are due
  check   check that an Enterprise Manager can be used (TLS, logon, API version, read access)
  demo    run against the built-in Enterprise Manager simulator and show the alerts it produces
  silence add, list or remove silences (nothing sent about what one matches until it ends; no redeploy)
  digest  print the morning digest of what was polled: open alerts, long runs, silenced, disabled, quiet, healthy
  hints   print the hints an alert shows for a Veeam reason text (built-in catalogue and local entries)

Run replica-alerts <command> --help for a command's options.`;

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  poll: pollCommand,
  check: checkCommand,
  demo: demoCommand,
  silence: silenceCommand,
  digest: digestCommand,
  hints: hintsCommand,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`Unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  try {
    return await run(args, io);
  } catch (error) {
    if (error instanceof SetupError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof UsageError) {
      io.err(`${error.message}\nRun replica-alerts ${command} --help for usage.`);
      return 2;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (args.includes('--debug') && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}
