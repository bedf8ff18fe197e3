// Incident tools (PagerDuty, Opsgenie-like, custom EventBridge rules) fed from the `events` topic with no code of
// ours: every event onto an EventBridge bus, and from there, if configured, PagerDuty. Off unless `eventBus` or
// `pagerDuty` is set. docs/incidents.md.

import { CfnOutput } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StackSettings } from '../settings/types.ts';
import { EventsToBus } from './bus.ts';
import { PagerDutyIncidents } from './pagerduty.ts';

export interface IncidentsProps {
  eventsTopic: ITopic;
  settings: Pick<StackSettings, 'stackName' | 'eventBus' | 'pagerDuty'>;
}

/** A dead-letter queue of the incident path, for the watchdog to alarm on. */
export interface IncidentDeadLetters {
  subject: string;
  queue: IQueue;
  description: string;
}

export class Incidents extends Construct {
  readonly deadLetters: IncidentDeadLetters[] = [];

  constructor(scope: Construct, id: string, props: IncidentsProps) {
    super(scope, id);
    const { stackName, eventBus, pagerDuty } = props.settings;
    if (!eventBus && !pagerDuty) return;
    const bus = eventBus?.busName
      ? EventBus.fromEventBusName(this, 'Bus', eventBus.busName)
      : new EventBus(this, 'Bus', { eventBusName: `${stackName}-alerts` });
    const events = new EventsToBus(this, 'Events', { topic: props.eventsTopic, bus });
    this.output('EventBusName', bus.eventBusName, 'EventBridge bus that receives every replica-alerts event');
    this.output('EventBusArn', bus.eventBusArn, 'ARN of that bus');
    this.output(
      'EventBusDeadLetterQueueUrl',
      events.deadLetters.queueUrl,
      'Events the pipe could not put on the bus',
    );
    this.deadLetters.push({
      subject: 'eventbus',
      queue: events.deadLetters,
      description:
        'replica-alerts events could not be put on the EventBridge bus (EventBusDeadLetterQueueUrl): ' +
        'incident tools and rules on the bus missed them. Read the queue, fix, redrive.',
    });
    if (!pagerDuty) return;
    const pagerDutyIncidents = new PagerDutyIncidents(this, 'PagerDuty', { bus, settings: pagerDuty });
    this.output(
      'PagerDutyDeadLetterQueueUrl',
      pagerDutyIncidents.deadLetters.queueUrl,
      'PagerDuty requests EventBridge could not deliver',
    );
    this.deadLetters.push({
      subject: 'pagerduty',
      queue: pagerDutyIncidents.deadLetters,
      description:
        'PagerDuty did not accept replica-alerts requests within 24 h of retries (PagerDutyDeadLetterQueueUrl): ' +
        'incidents were not opened or resolved. Check the routing key and the connection, then redrive.',
    });
  }

  /** A stack output with a plain name (docs/incidents.md names them). */
  private output(name: string, value: string, description: string): void {
    new CfnOutput(this, name, { value, description }).overrideLogicalId(name);
  }
}
