// The poller's environment: the contract functions/poller/env.ts reads. Nothing secret goes here (credentials stay
// in Secrets Manager; a CA bundle is public data).

import { CHANNELS, type Channel } from '../../functions/messages/types.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/poller/metrics.ts';
import type { EmSettings, Json } from '../settings/types.ts';
import { HEAP_MB } from './sizing.ts';

export interface EnvironmentInput {
  tableName: string;
  topicArns: Record<Channel, string>;
  /** `secretArn` resolved: the given ARN or the created secret's. */
  ems: (EmSettings & { secretArn: string })[];
  alerting: Json;
}

export function pollerEnvironment(input: EnvironmentInput): Record<string, string> {
  const topics = Object.fromEntries(
    CHANNELS.map((channel) => [`TOPIC_${channel.toUpperCase()}_ARN`, input.topicArns[channel]]),
  );
  return {
    TABLE_NAME: input.tableName,
    ...topics,
    ENTERPRISE_MANAGERS: JSON.stringify(
      input.ems.map(({ name, url, secretArn, caCert }) => ({ name, url, secretArn, caCert })),
    ),
    SETTINGS: JSON.stringify(input.alerting),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // V8 does not size its heap from the function's memory: cap it well inside it, so the garbage collector works
    // before the function runs out of memory (npm run bench measures the poll under such a cap).
    NODE_OPTIONS: `--enable-source-maps --max-old-space-size=${HEAP_MB}`,
  };
}

/** Generous stand-ins for names and ARNs that are only known at deploy time. */
const LONGEST_ARN = 'x'.repeat(160);

/** The environment's size in bytes (names and values), as Lambda counts it against its 4 KB limit. */
export function environmentSize(ems: EmSettings[], alerting: Json): number {
  const environment = pollerEnvironment({
    tableName: LONGEST_ARN,
    topicArns: { email: LONGEST_ARN, sms: LONGEST_ARN, chat: LONGEST_ARN, events: LONGEST_ARN },
    ems: ems.map((em) => ({ ...em, secretArn: em.secretArn ?? LONGEST_ARN })),
    alerting,
  });
  return Object.entries(environment).reduce(
    (size, [name, value]) => size + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
}
