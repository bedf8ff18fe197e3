// PagerDuty Events API v2 from the alerts bus through an EventBridge API destination: a connection that adds the
// routing key, and one rule per action and severity (pagerduty-events.ts), each with retries and a dead-letter
// queue.

import { Duration, SecretValue } from 'aws-cdk-lib';
import {
  ApiDestination,
  Authorization,
  Connection,
  HttpParameter,
  type IEventBus,
  Rule,
} from 'aws-cdk-lib/aws-events';
import { ApiDestination as ApiDestinationTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PagerDutySettings } from '../settings/types.ts';
import { DETAIL_KEY, DETAIL_TYPE, EVENT_SOURCE } from './bus.ts';
import { deadLetterQueue } from './dead-letters.ts';
import { type PagerDutyRule, pagerDutyRules } from './pagerduty-events.ts';

export const PAGERDUTY_ENDPOINT = 'https://events.pagerduty.com/v2/enqueue';
/** The body field PagerDuty reads the integration's key from (its only place in Events API v2). */
const ROUTING_KEY_FIELD = 'routing_key';
/**
 * EventBridge requires an authorization on every connection (basic, OAuth or API key) and sends it with each
 * request; an API key is a header of any name and any value (1-512 characters), which EventBridge never checks.
 * Events API v2 reads no header, so this one holds a fixed, non-secret value: the routing key travels once, in
 * the body.
 */
const CONNECTION_HEADER = { name: 'X-Replica-Alerts', value: 'pagerduty-events-v2' };
/** PagerDuty accepts about 120 events a minute per integration key; EventBridge queues the rest. */
const RATE_LIMIT_PER_SECOND = 2;

export interface PagerDutyIncidentsProps {
  bus: IEventBus;
  settings: PagerDutySettings;
}

export class PagerDutyIncidents extends Construct {
  /** Requests EventBridge could not deliver to PagerDuty. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: PagerDutyIncidentsProps) {
    super(scope, id);
    const { routingKeySecretArn, routingKeyField, minSeverity } = props.settings;
    // A dynamic reference: CloudFormation resolves it when it creates the connection, and EventBridge keeps the
    // value in the connection's own secret; the template holds only the reference.
    const routingKey = SecretValue.secretsManager(routingKeySecretArn, { jsonField: routingKeyField });
    const connection = new Connection(this, 'Connection', {
      description: 'replica-alerts: PagerDuty Events API v2',
      // PagerDuty reads the key from the body only (`routing_key`, required); a connection body parameter adds it
      // to every request, kept secret. The authorization EventBridge requires carries nothing (CONNECTION_HEADER).
      authorization: Authorization.apiKey(
        CONNECTION_HEADER.name,
        SecretValue.unsafePlainText(CONNECTION_HEADER.value),
      ),
      bodyParameters: { [ROUTING_KEY_FIELD]: HttpParameter.fromSecret(routingKey) },
    });
    const destination = new ApiDestination(this, 'Destination', {
      description: 'replica-alerts: PagerDuty Events API v2',
      connection,
      endpoint: PAGERDUTY_ENDPOINT,
      rateLimitPerSecond: RATE_LIMIT_PER_SECOND,
    });
    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    for (const rule of pagerDutyRules(minSeverity)) this.addRule(rule, { bus: props.bus, destination });
  }

  private addRule(rule: PagerDutyRule, to: { bus: IEventBus; destination: ApiDestination }): void {
    new Rule(this, rule.id, {
      description: `replica-alerts: PagerDuty ${rule.action} on ${rule.events.join(', ')} (${rule.alertSeverities.join(', ')})`,
      eventBus: to.bus,
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: [DETAIL_TYPE],
        detail: { [DETAIL_KEY]: { event: rule.events, alertSeverity: rule.alertSeverities } },
      },
      targets: [
        new ApiDestinationTarget(to.destination, {
          event: rule.input,
          // EventBridge retries 429 and 5xx (not other 4xx) for as long as it may: a lost trigger is not sent
          // again before the next reminder, a day later by default. Then the request waits in the queue.
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
  }
}
