// The scheduled Lambda: polls every configured EM (or the one named in the event), each independently, within
// the invocation's remaining time, or sends their morning digests (`{"digest": true}`), and reports what it did in
// structured logs, metrics and its return value.
// Configuration is read and validated once per cold start; an invalid one fails every invocation loudly.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Settings } from '../alerts/index.ts';
import { SnsNotifier } from '../notify/notifier.ts';
import { SecretsManagerSource } from '../secrets/secrets.ts';
import { DynamoStateStore } from '../state/dynamo.ts';
import { DynamoSilenceStore } from '../state/silences.ts';
import { dynamoClient, snsClient } from './clients.ts';
import { type DigestSummary, sendDigest } from './digest.ts';
import { ConfigError, type EmTarget, type LambdaConfig, readLambdaConfig } from './env.ts';
import { HEARTBEAT_METRIC, METRICS_NAMESPACE, PUBLISH_FAILURES_METRIC, SERVICE_NAME } from './metrics.ts';
import { emptySummary, type PollerDeps, type PollSummary, pollEm } from './poll.ts';

/** Stop starting work this long before the Lambda times out, so every write finishes. */
const SAFETY_MARGIN_MS = 20_000;

const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

function configure(): { config: LambdaConfig; deps: PollerDeps } | ConfigError {
  try {
    const config = readLambdaConfig(process.env);
    const secrets = new SecretsManagerSource(undefined, 300);
    const dynamo = dynamoClient();
    const deps: PollerDeps = {
      store: new DynamoStateStore(dynamo, config.table),
      silences: new DynamoSilenceStore(dynamo, config.table),
      notifier: new SnsNotifier(snsClient(), config.topics),
      credentials: (target, refresh) => secrets.get(target.secretArn ?? '', { refresh }),
      now: () => new Date(),
      log: logger,
    };
    return { config, deps };
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

const setup = configure();
if (setup instanceof ConfigError) logger.error('Invalid configuration', { problems: setup.problems });

export interface PollEvent {
  /** Only this EM (the stack schedules one invocation per EM in large estates). */
  em?: string;
  /** Send each EM's morning digest instead of polling (the stack's digest schedule): no EM is read. */
  digest?: boolean;
}

export async function handler(
  event: PollEvent,
  context: Context,
): Promise<{ polls: PollSummary[]; digests?: DigestSummary[] }> {
  // Every line of this invocation carries its request id, function and cold start (Powertools' context keys).
  logger.addContext(context);
  if (setup instanceof ConfigError) throw setup;
  const { config, deps } = setup;
  const targets = event?.em ? config.ems.filter((em) => em.name === event.em) : config.ems;
  if (!targets.length) throw new ConfigError([`The event names EM "${event.em}", which is not configured.`]);
  if (event?.digest) return { polls: [], digests: await digests(targets, deps, config.settings) };
  const stopAt = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const polls = await eachEm<PollSummary>(
    targets,
    (target) =>
      pollEm(target, deps, {
        settings: config.settings,
        deadlineMs: Math.max(1_000, stopAt - Date.now()),
        shouldStop: () => Date.now() > stopAt,
      }),
    (em, error) => {
      logger.error('The poll crashed; its state is left for the next poll.', { em, error: error.message });
      return { ...emptySummary(em), status: 'crashed', error };
    },
  );
  record(polls);
  logger.info('Poll finished', { polls });
  // An EM that fails is an alert of its own, not a crash.
  failOnCrashes(polls, 'polls', 'the next scheduled poll retries from the saved state');
  return { polls };
}

async function digests(targets: EmTarget[], deps: PollerDeps, settings: Settings): Promise<DigestSummary[]> {
  const sent = await eachEm<DigestSummary>(
    targets,
    (target) => sendDigest(target.name, deps, settings),
    (em, error) => {
      logger.error('The digest crashed; nothing was sent for this EM.', { em, error: error.message });
      return { em, status: 'crashed', error, items: 0, published: 0, publishFailures: 0 };
    },
  );
  metrics.addMetric('DigestsSent', MetricUnit.Count, sent.filter((d) => d.published).length);
  metrics.addMetric(
    PUBLISH_FAILURES_METRIC,
    MetricUnit.Count,
    sent.reduce((total, d) => total + d.publishFailures, 0),
  );
  metrics.publishStoredMetrics();
  logger.info('Digest finished', { digests: sent });
  failOnCrashes(sent, 'digests', 'the next scheduled digest is sent as usual');
  return sent;
}

/** `work` for every EM at once, each independently: one that throws is `crashed` (its summary), not a throw. */
async function eachEm<T>(
  targets: EmTarget[],
  work: (target: EmTarget) => Promise<T>,
  crashed: (em: string, error: { kind: 'crash'; message: string }) => T,
): Promise<T[]> {
  const results = await Promise.allSettled(targets.map(work));
  return results.map((result, i) => {
    if (result.status === 'fulfilled') return result.value;
    const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
    return crashed(targets[i]?.name ?? '?', { kind: 'crash', message });
  });
}

/**
 * A crash (DynamoDB down, a bug) must not pass for success: failing the invocation, after the metrics, raises the
 * Errors alarm and puts the event on the dead-letter queue.
 */
function failOnCrashes(
  summaries: { em: string; status: string; error?: { message: string } | undefined }[],
  what: string,
  next: string,
): void {
  const crashed = summaries.filter((s) => s.status === 'crashed');
  if (!crashed.length) return;
  const each = crashed.map((s) => `${s.em}: ${s.error?.message}`).join('; ');
  throw new Error(
    `${crashed.length} of ${summaries.length} ${what} crashed (see the poller's log for each crash; ${next}): ${each}`,
  );
}

function record(polls: PollSummary[]): void {
  const sum = (pick: (p: PollSummary) => number) => polls.reduce((total, p) => total + pick(p), 0);
  metrics.addMetric('PollsSucceeded', MetricUnit.Count, polls.filter((p) => p.status === 'ok').length);
  // A crash counts as a failed poll too: the metric predates the `crashed` status.
  const failed = polls.filter((p) => p.status === 'em-failed' || p.status === 'crashed');
  metrics.addMetric('PollsFailed', MetricUnit.Count, failed.length);
  metrics.addMetric('EmErrors', MetricUnit.Count, polls.filter((p) => p.error).length);
  metrics.addMetric(
    'SessionsRead',
    MetricUnit.Count,
    sum((p) => p.sessionsRead),
  );
  metrics.addMetric(
    'EventsSent',
    MetricUnit.Count,
    sum((p) => p.published),
  );
  metrics.addMetric(
    PUBLISH_FAILURES_METRIC,
    MetricUnit.Count,
    sum((p) => p.publishFailures),
  );
  metrics.addMetric(HEARTBEAT_METRIC, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
