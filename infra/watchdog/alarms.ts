// Watching the watcher: alarms on the poller's errors, throttles, run time near the timeout, dead letters, and a
// missing heartbeat (the poller stopped running), and on alerts that did not get through: publishes SNS refused
// and deliveries SNS gave up on. People hear about them on e-mail and chat, SMS numbers about the heartbeat
// (through their own unfiltered topic, see HEARTBEAT_SMS); never on the events topic, whose subscribers expect our
// JSON contract. OK actions say when it is over. Alarms also watch the incident path's dead-letter queues. Every
// alarm exists once the constructor returns, which then lets them publish: a topic policy names each alarm by ARN.

import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  HEARTBEAT_METRIC,
  METRICS_NAMESPACE,
  PUBLISH_FAILURES_METRIC,
  SERVICE_DIMENSIONS,
} from '../../functions/poller/metrics.ts';
import type { AlertTopics } from '../alerts/topics.ts';
import type { IncidentDeadLetters } from '../incidents/index.ts';
import type { Poller } from '../poller/poller.ts';
import { TIMEOUT_MS } from '../poller/sizing.ts';

/** A run this close to the timeout is about to be cut off: a bigger estate needs per-EM schedules or more time. */
const DURATION_WARNING_SHARE = 0.8;

export interface WatchdogProps {
  poller: Poller;
  topics: AlertTopics;
  stackName: string;
  everyMinutes: number;
  /** The incident path's dead-letter queues (Incidents.deadLetters): none when it is off. */
  incidentDeadLetters: IncidentDeadLetters[];
}

interface AlarmSpec {
  /** The construct ID; lower-cased, the end of the alarm's name. */
  name: string;
  /** What the alarm watches, the middle of its name: the poller (default) or a topic. */
  subject?: string;
  description: string;
  metric: IMetric;
  threshold: number;
  comparison?: ComparisonOperator;
  missing?: TreatMissingData;
  topics: Topic[];
}

export class Watchdog extends Construct {
  /** Every alarm of the stack, complete once constructed. */
  readonly alarms: Alarm[] = [];
  private readonly routes = new Map<Topic, Alarm[]>();
  /** One schedule period (at least 5 minutes): an alarm clears after the next poll that goes well. */
  private readonly period: Duration;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WatchdogProps,
  ) {
    super(scope, id);
    this.period = Duration.minutes(Math.max(5, props.everyMinutes));
    const { fn, deadLetters } = props.poller;
    const period = this.period;
    const { people } = props.topics;
    this.alarm({
      name: 'Errors',
      description:
        'The replica-alerts poller failed (crashed, timed out or rejected its configuration). See its log group.',
      metric: fn.metricErrors({ period }),
      threshold: 1,
      topics: people,
    });
    this.alarm({
      name: 'Throttles',
      description:
        'The replica-alerts poller was throttled: polls are delayed or dropped (reserved concurrency, account limit).',
      metric: fn.metricThrottles({ period }),
      threshold: 1,
      topics: people,
    });
    this.alarm({
      name: 'Duration',
      description:
        'A replica-alerts poll ran close to the Lambda timeout: raise the timeout or lower schedule.maxEmsPerInvocation.',
      metric: fn.metricDuration({ period, statistic: 'Maximum' }),
      threshold: TIMEOUT_MS * DURATION_WARNING_SHARE,
      topics: people,
    });
    this.alarm({
      name: 'DeadLetters',
      description:
        'A replica-alerts poll invocation failed or was dropped; its event is in the dead-letter queue.',
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      threshold: 1,
      topics: people,
    });
    this.alarm({
      name: 'Heartbeat',
      description:
        'The replica-alerts poller has not completed a poll for two schedule periods: alerts are not being checked.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: HEARTBEAT_METRIC,
        dimensionsMap: SERVICE_DIMENSIONS,
        statistic: 'Sum',
        // Two schedule periods, so one late or slow poll is not an outage.
        period: Duration.minutes(2 * props.everyMinutes),
      }),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data at all is exactly the failure this alarm is for.
      missing: TreatMissingData.BREACHING,
      topics: [...people, props.topics.heartbeatSms],
    });
    this.deliveryAlarms(period);
    for (const dlq of props.incidentDeadLetters) this.watchDeadLetters(dlq);
    // Last, with every alarm made: no alarm may be added after this (its topics would refuse it).
    for (const [topic, alarms] of this.routes) props.topics.allowAlarms(topic, alarms);
  }

  /**
   * Any failure fires, within one period: the poller's publishes already went through the SDK's retries, and SNS
   * counts a delivery to e-mail, SMS or SQS as failed only once it stops trying (an HTTPS one on each failed
   * attempt: a webhook that was down for a moment shows too, and the alarm clears the next quiet period). No
   * data is the normal state (no poll published, nothing delivered), so missing data is fine; a poller that stops
   * is the heartbeat's alarm. An alarm about the chat topic also goes to the chat topic: if that keeps failing,
   * e-mail still tells, and the alarm, already in ALARM, sends nothing more.
   */
  private deliveryAlarms(period: Duration): void {
    const { people } = this.props.topics;
    this.alarm({
      name: 'PublishFailures',
      description:
        'The replica-alerts poller could not publish alerts to SNS (access, KMS key, throttling); it retries them ' +
        'at the next poll. See its log group.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: PUBLISH_FAILURES_METRIC,
        dimensionsMap: SERVICE_DIMENSIONS,
        statistic: 'Sum',
        period,
      }),
      threshold: 1,
      topics: people,
    });
    for (const [name, topic] of Object.entries(this.props.topics.all)) {
      this.alarm({
        name: 'DeliveryFailures',
        subject: `topic-${name}`,
        description:
          `SNS could not deliver replica-alerts messages from the ${name} topic to a subscriber. See the topic's ` +
          'delivery-status log (HTTPS, SQS, Lambda) or its subscriptions.',
        metric: topic.metricNumberOfNotificationsFailed({ period, statistic: 'Sum' }),
        threshold: 1,
        topics: people,
      });
    }
  }

  /** Anything in a dead-letter queue of the incident path is an alert the bus or PagerDuty did not get. */
  private watchDeadLetters({ subject, queue, description }: IncidentDeadLetters): void {
    this.alarm({
      name: 'DeadLetters',
      subject,
      description,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: this.period, statistic: 'Maximum' }),
      threshold: 1,
      topics: this.props.topics.people,
    });
  }

  private alarm(spec: AlarmSpec): void {
    const subject = spec.subject ?? 'poller';
    const alarm = new Alarm(this, spec.subject ? `${spec.subject}-${spec.name}` : spec.name, {
      alarmName: `${this.props.stackName}-${subject}-${spec.name.toLowerCase()}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: spec.missing ?? TreatMissingData.NOT_BREACHING,
    });
    for (const topic of spec.topics) {
      alarm.addAlarmAction(new SnsAction(topic));
      alarm.addOkAction(new SnsAction(topic));
      this.routes.set(topic, [...(this.routes.get(topic) ?? []), alarm]);
    }
    this.alarms.push(alarm);
  }
}
