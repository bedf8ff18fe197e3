// Watching the watcher: alarms on the poller's errors, throttles, run time near the timeout, dead letters, and a
// missing heartbeat (the poller stopped running). People hear about them on e-mail and chat, SMS numbers about the
// heartbeat (through their own unfiltered topic, see HEARTBEAT_SMS); never on the events topic, whose subscribers
// expect our JSON contract. OK actions say when it is over.

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
import { HEARTBEAT_METRIC, METRICS_NAMESPACE, SERVICE_DIMENSIONS } from '../../functions/poller/metrics.ts';
import type { AlertTopics } from '../alerts/topics.ts';
import type { Poller } from '../poller/poller.ts';
import { TIMEOUT_MS } from '../poller/sizing.ts';

/** A run this close to the timeout is about to be cut off: a bigger estate needs per-EM schedules or more time. */
const DURATION_WARNING_SHARE = 0.8;

export interface WatchdogProps {
  poller: Poller;
  topics: AlertTopics;
  stackName: string;
  everyMinutes: number;
}

interface AlarmSpec {
  name: string;
  description: string;
  metric: IMetric;
  threshold: number;
  comparison?: ComparisonOperator;
  missing?: TreatMissingData;
  topics: Topic[];
}

export class Watchdog extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly routes = new Map<Topic, Alarm[]>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WatchdogProps,
  ) {
    super(scope, id);
    const { fn, deadLetters } = props.poller;
    // One schedule period (at least 5 minutes): an alarm clears after the next poll that goes well.
    const period = Duration.minutes(Math.max(5, props.everyMinutes));
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
    for (const [topic, alarms] of this.routes) props.topics.allowAlarms(topic, alarms);
  }

  private alarm(spec: AlarmSpec): void {
    const alarm = new Alarm(this, spec.name, {
      alarmName: `${this.props.stackName}-poller-${spec.name.toLowerCase()}`,
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
