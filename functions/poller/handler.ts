// The scheduled Lambda: polls every configured EM (or the one named in the event), each independently, within
// the invocation's remaining time, and reports what it did in structured logs, metrics and its return value.
// Configuration is read and validated once per cold start; an invalid one fails every invocation loudly.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { SnsNotifier } from '../notify/notifier.ts';
import { SecretsManagerSource } from '../secrets/secrets.ts';
import { DynamoStateStore } from '../state/dynamo.ts';
import { dynamoClient, snsClient } from './clients.ts';
import { ConfigError, type LambdaConfig, readLambdaConfig } from './env.ts';
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
    const deps: PollerDeps = {
      store: new DynamoStateStore(dynamoClient(), config.table),
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
  /** Poll only this EM (the stack schedules one invocation per EM in large estates). */
  em?: string;
}

export async function handler(event: PollEvent, context: Context): Promise<{ polls: PollSummary[] }> {
  // Every line of this invocation carries its request id, function and cold start (Powertools' context keys).
  logger.addContext(context);
  if (setup instanceof ConfigError) throw setup;
  const { config, deps } = setup;
  const targets = event?.em ? config.ems.filter((em) => em.name === event.em) : config.ems;
  if (!targets.length) throw new ConfigError([`The event names EM "${event.em}", which is not configured.`]);
  const stopAt = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const results = await Promise.allSettled(
    targets.map((target) =>
      pollEm(target, deps, {
        settings: config.settings,
        deadlineMs: Math.max(1_000, stopAt - Date.now()),
        shouldStop: () => Date.now() > stopAt,
      }),
    ),
  );
  const polls = results.map((result, i): PollSummary => {
    if (result.status === 'fulfilled') return result.value;
    const em = targets[i]?.name ?? '?';
    const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
    logger.error('The poll crashed; its state is left for the next poll.', { em, error: message });
    return { ...emptySummary(em), status: 'crashed', error: { kind: 'crash', message } };
  });
  record(polls);
  logger.info('Poll finished', { polls });
  // A crash (DynamoDB down, a bug) must not pass for a poll: failing the invocation raises the Errors alarm and
  // puts the event on the dead-letter queue. An EM that fails is an alert of its own, not a crash.
  const crashed = polls.filter((p) => p.status === 'crashed');
  if (crashed.length) {
    const each = crashed.map((p) => `${p.em}: ${p.error?.message}`).join('; ');
    throw new Error(
      `${crashed.length} of ${polls.length} polls crashed (see the poller's log for each crash; the next ` +
        `scheduled poll retries from the saved state): ${each}`,
    );
  }
  return { polls };
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
