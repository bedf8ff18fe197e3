// `replica-alerts poll`: one poll of one or more EMs, through the same code as the Lambda. State lives in an
// embedded DynamoDB-compatible store on disk (dynalite, `--state DIR`) or in a DynamoDB table (`--table`).

import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { apiBase } from '../em/config.ts';
import { SnsNotifier } from '../notify/notifier.ts';
import { CHANNELS, type EmTarget, TOPIC_ARN } from '../poller/env.ts';
import { type Log, type PollSummary, pollEm } from '../poller/poll.ts';
import { DynamoStateStore } from '../state/dynamo.ts';
import { ensureTable, startDynalite } from '../state/local.ts';
import type { StateStore } from '../state/store.ts';
import { minutes, parse, SETTINGS_HELP, SETTINGS_OPTIONS, settingsFrom, UsageError } from './args.ts';
import type { Io } from './io.ts';
import { CliNotifier, type OutputFormat } from './output.ts';

export const POLL_HELP = `Usage: replica-alerts poll --em-url URL [--em-url URL ...] [options]

Polls each Enterprise Manager once: reads new replica and CDP sessions, decides which alerts are due, records
them, and delivers them (prints them, and publishes them to SNS for each --topic).

  --em-url URL           the EM REST API, e.g. https://em.example.com:9398/api/ (repeatable)
  --ca-file PEM          CA bundle that issued the EM's certificate (self-signed EMs: the certificate)
  --insecure-skip-tls-verify   do not verify the EM's certificate (insecure; warned about on every run)
  --state DIR            keep state on disk in DIR (default .replica-alerts)
  --table NAME           keep state in this DynamoDB table instead (AWS credentials from the environment)
  --endpoint-url URL     DynamoDB endpoint for --table (e.g. DynamoDB Local)
  --topic CHANNEL=ARN    publish a channel (email, sms, chat, events) to this SNS topic (repeatable)
  --output text|json|sns what to print: e-mails (default), one JSON event per line, or the SNS publishes
  --history DURATION     how far back a first poll reads (default: the lookback); runs older than the lookback
                         only teach each job's schedule for stale detection, they never alert
  --password-stdin       read the EM password from stdin instead of EM_PASSWORD
  --debug                show stack traces and every log line

Credentials: EM_USERNAME and EM_PASSWORD (or --password-stdin), never a flag.
Exit codes: 0 the poll completed; 1 an EM could not be polled or a publish failed; 2 bad usage or settings.

${SETTINGS_HELP}`;

const OPTIONS = {
  'em-url': { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean' },
  state: { type: 'string' },
  table: { type: 'string' },
  'endpoint-url': { type: 'string' },
  topic: { type: 'string', multiple: true },
  output: { type: 'string' },
  history: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  debug: { type: 'boolean' },
  ...SETTINGS_OPTIONS,
} as const;

/** A stable, readable EM name from its URL: the host, plus the port unless it is the default 9398. */
export function emName(url: string): string {
  const base = apiBase('em', url);
  const port = base.port && base.port !== '9398' ? `-${base.port}` : '';
  return `${base.hostname.replace(/[^A-Za-z0-9.-]/g, '')}${port}`;
}

function topicsFrom(values: string[] | undefined): Record<string, string> {
  const topics: Record<string, string> = {};
  for (const value of values ?? []) {
    const [channel = '', arn = ''] = value.split(/=(.*)/s);
    if (!(CHANNELS as string[]).includes(channel)) {
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
  const { values } = parse(args, OPTIONS, 'replica-alerts poll');
  if (values.help) {
    io.out(POLL_HELP);
    return 0;
  }
  const urls = values['em-url'] ?? [];
  if (!urls.length)
    throw new UsageError('--em-url is required: the URL of the EM REST API, e.g. https://em:9398/api/.');
  const output = (values.output ?? 'text') as OutputFormat;
  if (!['text', 'json', 'sns'].includes(output)) throw new UsageError('--output must be text, json or sns.');
  if (values.state && values.table)
    throw new UsageError('--state and --table exclude each other: pick one store.');
  const settings = settingsFrom(values);
  const topics = topicsFrom(values.topic);
  const username = io.env.EM_USERNAME ?? '';
  const password = values['password-stdin']
    ? (await io.readStdin()).replace(/\r?\n$/, '')
    : (io.env.EM_PASSWORD ?? '');
  if (!username || !password) {
    throw new UsageError('Set EM_USERNAME and EM_PASSWORD (or pipe the password with --password-stdin).');
  }
  const caPem = values['ca-file'] ? readCa(values['ca-file']) : undefined;
  const historyMs = values.history ? minutes('history', values.history) * 60_000 : undefined;
  const targets: EmTarget[] = urls.map((url) => {
    try {
      return { name: emName(url), url, caCert: caPem };
    } catch (error) {
      throw new UsageError(`--em-url ${url}: ${(error as Error).message}`);
    }
  });

  const { store, close } = await openStore(values, io);
  const sns = Object.keys(topics).length
    ? new SnsNotifier(new SNSClient({ maxAttempts: 5 }), topics)
    : undefined;
  const notifier = new CliNotifier(output, io.out, sns, topics);
  const log = cliLog(io, values.debug === true);
  try {
    const polls: PollSummary[] = [];
    for (const target of targets) {
      polls.push(
        await pollEm(
          target,
          { store, notifier, credentials: async () => ({ username, password }), now: () => new Date(), log },
          {
            settings,
            historyMs,
            onProgress: io.progress && ((n) => io.progress?.(`${target.name}: ${n} sessions read...`)),
            em: {
              insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
              warn: (m) => io.err(`warning: ${m}`),
            },
          },
        ),
      );
    }
    io.progress?.('');
    for (const poll of polls) io.err(describe(poll));
    return polls.some((p) => p.status !== 'ok' || p.publishFailures) ? 1 : 0;
  } finally {
    await close();
  }
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca-file ${path}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new UsageError(`--ca-file ${path}: no PEM certificate in it.`);
  return pem;
}

async function openStore(
  values: { state?: string | undefined; table?: string | undefined; 'endpoint-url'?: string | undefined },
  io: Io,
): Promise<{ store: StateStore; close(): Promise<void> }> {
  if (values.table) {
    const client = new DynamoDBClient({
      maxAttempts: 6,
      ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
    });
    return { store: new DynamoStateStore(client, values.table), close: async () => client.destroy() };
  }
  const dir = values.state ?? `${io.cwd}/.replica-alerts`;
  const local = await startDynalite(dir);
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, 'replica-alerts');
  return {
    store: new DynamoStateStore(client, 'replica-alerts'),
    close: async () => {
      client.destroy();
      await local.close();
    },
  };
}

function cliLog(io: Io, debug: boolean): Log {
  const line = (level: string) => (message: string, extra: Record<string, unknown>) => {
    if (level === 'info' && !debug) return;
    const { reason, ...rest } = extra;
    const context = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    io.err(`${level}: ${message}${context ? ` (${context})` : ''}${reason ? `\n  ${String(reason)}` : ''}`);
  };
  return { info: line('info'), warn: line('warning'), error: line('error') };
}

function describe(poll: PollSummary): string {
  if (poll.status === 'skipped') return `${poll.em}: skipped, another poll holds its lease.`;
  const read = `${poll.sessionsRead} sessions read in ${poll.emRequests} EM requests`;
  const sent = `${poll.eventsDecided} new alerts, ${poll.published} delivered`;
  const left = poll.pending ? `, ${poll.pending} still pending` : '';
  const failed = poll.status === 'em-failed' ? `; polling failed (${poll.error?.kind})` : '';
  return `${poll.em}: ${read}, ${sent}${left}${failed}.`;
}
