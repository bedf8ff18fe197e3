// `replica-alerts poll`: one poll of one or more EMs, through the same code as the Lambda. State lives in an
// embedded DynamoDB-compatible store on disk (dynalite, `--state DIR`) or in a DynamoDB table (`--table`).

import { MINUTE } from '../duration.ts';
import { oneLine, plural } from '../messages/text.ts';
import { CHANNELS, type Channel, isChannel } from '../messages/types.ts';
import { SnsNotifier } from '../notify/notifier.ts';
import { snsClient } from '../poller/clients.ts';
import { type EmTarget, TOPIC_ARN } from '../poller/env.ts';
import { EM_FAILED, type Log, leaseMs, PollInterrupted, type PollSummary, pollEm } from '../poller/poll.ts';
import { DynamoStateStore } from '../state/dynamo.ts';
import { DynamoSilenceStore } from '../state/silences.ts';
import {
  EM_HELP,
  EM_OPTIONS,
  emAccess,
  emUrl,
  minutes,
  parse,
  SETTINGS_HELP,
  SETTINGS_OPTIONS,
  settingsFrom,
  UsageError,
} from './args.ts';
import type { Io } from './io.ts';
import { CliNotifier, type OutputFormat } from './output.ts';
import { openTable, STORE_HELP, STORE_OPTIONS } from './store.ts';

export const POLL_HELP = `Usage: replica-alerts poll --em-url URL [--em-url URL ...] [options]

Polls each Enterprise Manager once: reads new replica and CDP sessions, decides which alerts are due, records
them, and delivers them (prints them, and publishes them to SNS for each --topic).

  --em-url URL           the EM REST API, e.g. https://em.example.com:9398/api/ (repeatable)
${STORE_HELP}
  --topic CHANNEL=ARN    publish a channel (email, sms, chat, events) to this SNS topic (repeatable)
  --output text|json|sns what to print, whatever is published: e-mails (default), one JSON event per line, or
                         the SNS publishes of all four channels
  --history DURATION     how far back a first poll reads (default: the lookback); runs older than the lookback
                         only teach each job's schedule for stale detection, they never alert
${EM_HELP}

Exit codes: 0 the poll completed; 1 an EM could not be polled (also when another poll of it was running and
this one skipped it) or a publish failed; 2 bad usage or settings; 130 interrupted (Ctrl-C, SIGTERM: the EM
session is logged off and the lease released; a second Ctrl-C quits at once).

${SETTINGS_HELP}`;

const OPTIONS = {
  'em-url': { type: 'string', multiple: true },
  ...EM_OPTIONS,
  ...STORE_OPTIONS,
  topic: { type: 'string', multiple: true },
  output: { type: 'string' },
  history: { type: 'string' },
  ...SETTINGS_OPTIONS,
} as const;

/** A stable, readable EM name from its URL: the host, plus the port unless it is the default 9398. */
export function emName(url: string): string {
  const base = emUrl(url);
  const port = base.port && base.port !== '9398' ? `-${base.port}` : '';
  return `${base.hostname.replace(/[^A-Za-z0-9.-]/g, '')}${port}`;
}

function topicsFrom(values: string[] | undefined): Record<string, string> {
  const topics: Record<string, string> = {};
  for (const value of values ?? []) {
    const [channel = '', arn = ''] = value.split(/=(.*)/s);
    if (!isChannel(channel)) {
      throw new UsageError(
        `--topic ${value}: the channel must be one of ${CHANNELS.join(', ')} (CHANNEL=ARN).`,
      );
    }
    if (!TOPIC_ARN.test(arn)) throw new UsageError(`--topic ${value}: "${arn}" is not an SNS topic ARN.`);
    topics[channel] = arn;
  }
  return topics;
}

export async function pollCommand(args: string[], io: Io): Promise<number> {
  return (await runPoll(args, io)).code;
}

/** The poll command, with the summary of each EM polled: what its exit code and stderr report. */
export async function runPoll(args: string[], io: Io): Promise<{ code: number; polls: PollSummary[] }> {
  const { values } = parse(args, OPTIONS, 'replica-alerts poll');
  if (values.help) {
    io.out(POLL_HELP);
    return { code: 0, polls: [] };
  }
  const urls = values['em-url'] ?? [];
  if (!urls.length)
    throw new UsageError('--em-url is required: the URL of the EM REST API, e.g. https://em:9398/api/.');
  const output = (values.output ?? 'text') as OutputFormat;
  if (!['text', 'json', 'sns'].includes(output)) throw new UsageError('--output must be text, json or sns.');
  const settings = settingsFrom(values);
  const topics = topicsFrom(values.topic);
  const { credentials, caPem } = await emAccess(values, io);
  const historyMs = values.history ? minutes('history', values.history) * MINUTE : undefined;
  const targets: EmTarget[] = urls.map((url) => ({ name: emName(url), url, caCert: caPem }));

  const { client, table, close } = await openTable(values, io);
  const store = new DynamoStateStore(client, table);
  const sns = Object.keys(topics).length ? new SnsNotifier(snsClient(), topics) : undefined;
  const notifier = new CliNotifier(output, io.out, sns, topics);
  const deps = {
    store,
    silences: new DynamoSilenceStore(client, table),
    notifier,
    credentials: async () => credentials,
    now: () => io.now(),
    log: cliLog(io, values.debug === true),
  };
  // Ctrl-C stops cleanly: the EM logged off and the lease released, or every later poll would skip this EM.
  const interrupt = new AbortController();
  const stopListening = io.onInterrupt(() => interrupt.abort());
  const polls: PollSummary[] = [];
  let interruptedRead: string | undefined;
  try {
    for (const target of targets) {
      if (interrupt.signal.aborted) break;
      polls.push(
        await pollEm(target, deps, {
          settings,
          historyMs,
          signal: interrupt.signal,
          onProgress: io.progress && ((n) => io.progress?.(`${target.name}: ${n} sessions read...`)),
          em: {
            insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
            warn: (m) => io.err(`warning: ${m}`),
          },
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof PollInterrupted)) throw error;
    interruptedRead = error.em;
  } finally {
    stopListening();
    await close();
  }
  io.progress?.('');
  for (const poll of polls) io.err(describe(poll, notifier.channels));
  if (interrupt.signal.aborted) {
    const unpolled = targets.slice(polls.length + (interruptedRead ? 1 : 0)).map((t) => t.name);
    io.err(interrupted(interruptedRead, unpolled, polls));
    return { code: 130, polls };
  }
  // A skipped EM exits 1 too: exit 0 says the poll completed, and this run neither read nor delivered for it.
  return { code: polls.some((p) => p.status !== 'ok' || p.publishFailures) ? 1 : 0, polls };
}

/** Log lines on stderr, one line each; info, and EM failures (each EM's summary line has the cause), with --debug. */
export function cliLog(io: Io, debug: boolean): Log {
  const line = (level: string) => (message: string, extra: Record<string, unknown>) => {
    if ((level === 'info' || message === EM_FAILED) && !debug) return;
    const { reason, ...rest } = extra;
    const context = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    io.err(
      `${level}: ${message}${context ? ` (${context})` : ''}${reason ? `: ${oneLine(String(reason))}` : ''}`,
    );
  };
  return { info: line('info'), warn: line('warning'), error: line('error') };
}

function describe(poll: PollSummary, channels: readonly Channel[]): string {
  if (poll.status === 'skipped') {
    // The CLI's lease is the longest any poller takes (the Lambda's ends a minute after its 5-minute timeout).
    return (
      `${poll.em}: skipped, another poll of it holds its lease (until that poll ends; if it died, the lease ` +
      `expires within ${leaseMs({}) / MINUTE} minutes).`
    );
  }
  // A failed poll's request count misses the requests of the session that failed: not worth printing.
  const read =
    poll.status === 'em-failed'
      ? `polling failed (${poll.error?.kind}): ${oneLine(cause(poll))};`
      : `${plural(poll.sessionsRead, 'session')} read in ${plural(poll.emRequests, 'EM request')},`;
  const delivered = `${plural(poll.published, 'message')} delivered (channels: ${channels.join(', ')})`;
  const sent = `${plural(poll.eventsDecided, 'new alert')}, ${delivered}`;
  const left = poll.pending ? `, ${plural(poll.pending, 'alert')} still pending` : '';
  return `${poll.em}: ${read} ${sent}${left}.`;
}

/** A failed poll's cause and what to do, without the EM's name that starts the line anyway. */
const cause = (poll: PollSummary) =>
  (poll.error?.message ?? '').replace(/^Enterprise Manager "[^"]*": /, '').replace(/\.$/, '');

/** The one line an interrupted poll ends with: what was left undone, and that nothing is left locked. */
function interrupted(read: string | undefined, unpolled: string[], polls: PollSummary[]): string {
  const pending = polls.reduce((sum, poll) => sum + poll.pending, 0);
  const parts = [
    read ? `logged off ${read} and released its lease; nothing recorded for it` : 'every lease released',
    ...(pending ? [`${plural(pending, 'alert')} left pending for the next poll`] : []),
    ...(unpolled.length ? [`not polled: ${unpolled.join(', ')}`] : []),
  ];
  return `Interrupted: ${parts.join('; ')}.`;
}
