// `replica-alerts digest`: the morning digest of each EM polled so far (or of one), built from the stored state and
// silences by the same code as the Lambda's digest schedule, and printed. No EM is read, nothing is written.

import { sendDigest } from '../poller/digest.ts';
import { DynamoStateStore } from '../state/dynamo.ts';
import { DynamoSilenceStore } from '../state/silences.ts';
import { parse, SETTINGS_OPTIONS, SetupError, settingsFrom, UsageError } from './args.ts';
import type { Io } from './io.ts';
import { CliNotifier, type OutputFormat } from './output.ts';
import { cliLog, emName } from './poll.ts';
import { openTable, STORE_HELP, STORE_OPTIONS } from './store.ts';

export const DIGEST_HELP = `Usage: replica-alerts digest [--em NAME | --em-url URL] [--output text|json|sns] [--time-zone ZONE]
                             [--settings FILE] [--state DIR | --table NAME [--endpoint-url URL]]

Prints the morning digest of each Enterprise Manager polled so far, as the deployed stack sends it every morning:
the counts, the open alerts (failing first, with since when and how many runs failed), the runs gone far longer
than usual, what a silence or maintenance window holds, the jobs disabled in Veeam, those with no run in 24 h, and
the healthy ones with their last run. It reads the stored state and silences only: poll first.

  --em NAME              only this Enterprise Manager, by the name poll gave it (its URL's host, e.g. em.example.com)
  --em-url URL           only this Enterprise Manager, by the URL poll was given
  --output text|json|sns the e-mail (default), the events channel's JSON document, or the SNS publishes of all
                         four channels
  --time-zone ZONE       IANA zone for the times in it (default UTC, or the settings file's timeZone)
  --settings FILE        the alerting settings poll uses: timeZone, maintenance windows, include, exclude, muted
  --debug                show every log line and stack traces
${STORE_HELP}

Exit codes: 0 printed; 1 the store could not be read; 2 bad usage, or nothing polled yet.`;

const OPTIONS = {
  em: { type: 'string' },
  'em-url': { type: 'string' },
  output: { type: 'string' },
  settings: SETTINGS_OPTIONS.settings,
  'time-zone': SETTINGS_OPTIONS['time-zone'],
  debug: { type: 'boolean' },
  ...STORE_OPTIONS,
} as const;

export async function digestCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, OPTIONS, 'replica-alerts digest');
  if (values.help) {
    io.out(DIGEST_HELP);
    return 0;
  }
  const output = (values.output ?? 'text') as OutputFormat;
  if (!['text', 'json', 'sns'].includes(output)) throw new UsageError('--output must be text, json or sns.');
  if (values.em !== undefined && values['em-url'] !== undefined)
    throw new UsageError('--em and --em-url name the same thing: give one.');
  const only = values['em-url'] === undefined ? values.em : emName(values['em-url']);
  const settings = settingsFrom(values);
  const { client, table, close } = await openTable(values, io);
  try {
    const silences = new DynamoSilenceStore(client, table);
    const polled = [...new Set((await silences.subjects()).map((state) => state.em))].sort();
    if (!polled.length)
      throw new SetupError(
        'nothing has been polled into this state yet: run replica-alerts poll --em-url URL with the same ' +
          `${values.table ? '--table' : '--state'}, then digest.`,
      );
    if (only !== undefined && !polled.includes(only))
      throw new UsageError(
        `${values.em === undefined ? '--em-url' : '--em'} ${only}: not polled so far; the Enterprise Managers polled: ${polled.join(', ')}.`,
      );
    const deps = {
      store: new DynamoStateStore(client, table),
      silences,
      notifier: new CliNotifier(output, io.out),
      now: () => io.now(),
      log: cliLog(io, values.debug === true),
    };
    for (const em of only === undefined ? polled : [only]) await sendDigest(em, deps, settings);
    return 0;
  } finally {
    await close();
  }
}
