// Watching the watcher: the alarms on the poller and on alerts that did not get through, and where they notify.

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { constructName, minimalSettings, onlyResource, synthBeforeAll } from './fixtures/stack.ts';

interface AlarmProperties {
  AlarmActions: { Ref: string }[];
  OKActions: { Ref: string }[];
  TreatMissingData: string;
  AlarmDescription: string;
}

function alarm(template: Template, name: string, subject = 'poller'): AlarmProperties {
  return onlyResource(template, 'AWS::CloudWatch::Alarm', { AlarmName: `ReplicaAlerts-${subject}-${name}` });
}

/** Every topic, by the name in its alarm's name. */
const TOPICS = ['email', 'sms', 'chat', 'events', 'heartbeat-sms'];

/** The topics an alarm action list points at, by construct name. */
function topics(actions: { Ref: string }[]): string[] {
  return actions.map((action) => constructName(action.Ref).replace(/^Topics/, '')).sort();
}

describe('the poller alarms', () => {
  const template = synthBeforeAll({ ...minimalSettings(), schedule: { everyMinutes: 10 } });

  it('are six, each telling e-mail and chat when it fires and when it clears, never the events topic', () => {
    template().resourceCountIs('AWS::CloudWatch::Alarm', 6 + TOPICS.length);
    for (const name of ['errors', 'throttles', 'duration', 'deadletters', 'publishfailures']) {
      const properties = alarm(template(), name);
      expect(topics(properties.AlarmActions)).toEqual(['chat', 'email']);
      expect(topics(properties.OKActions)).toEqual(['chat', 'email']);
      expect(properties.TreatMissingData).toBe('notBreaching');
      expect(properties.AlarmDescription).toMatch(/replica-alerts/);
    }
  });

  it('fire on any error, throttle or dead letter', () => {
    for (const [name, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
      ['deadletters', 'ApproximateNumberOfMessagesVisible'],
    ]) {
      expect(alarm(template(), name as string)).toMatchObject({
        MetricName: metric,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('fire when a run takes 80% of the timeout', () => {
    expect(alarm(template(), 'duration')).toMatchObject({
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 240_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire when the heartbeat is missing for two schedule periods, also by SMS', () => {
    const properties = alarm(template(), 'heartbeat');
    expect(properties).toMatchObject({
      Namespace: 'ReplicaAlerts',
      MetricName: 'Heartbeat',
      Dimensions: [{ Name: 'service', Value: 'replica-alerts' }],
      Statistic: 'Sum',
      Period: 1200,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(topics(properties.AlarmActions)).toEqual(['chat', 'email', 'heartbeatsms']);
    expect(topics(properties.OKActions)).toEqual(['chat', 'email', 'heartbeatsms']);
  });

  it('look at the poller function and its dead-letter queue', () => {
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^PollerFunction') } }],
    });
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerDeadLetters'), 'QueueName'] },
        },
      ],
    });
  });
});

describe('the delivery alarms', () => {
  const template = synthBeforeAll({ ...minimalSettings(), schedule: { everyMinutes: 10 } });
  /** One failure in one schedule period (10 minutes here) fires; no data is the quiet normal. */
  const ANY_FAILURE_IN_ONE_PERIOD = {
    Statistic: 'Sum',
    Period: 600,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  };

  it("fire on any publish the poller could not make, over one schedule period, from the poller's metric", () => {
    expect(alarm(template(), 'publishfailures')).toMatchObject({
      Namespace: 'ReplicaAlerts',
      MetricName: 'PublishFailures',
      Dimensions: [{ Name: 'service', Value: 'replica-alerts' }],
      ...ANY_FAILURE_IN_ONE_PERIOD,
    });
  });

  it('fire on any delivery SNS failed, for every topic, telling e-mail and chat', () => {
    for (const name of TOPICS) {
      const properties = alarm(template(), 'deliveryfailures', `topic-${name}`);
      const topic = `^Topics${name.replace('-', '')}[0-9A-F]{8}$`;
      expect(properties).toMatchObject({
        Namespace: 'AWS/SNS',
        MetricName: 'NumberOfNotificationsFailed',
        Dimensions: [
          { Name: 'TopicName', Value: { 'Fn::GetAtt': [expect.stringMatching(topic), 'TopicName'] } },
        ],
        ...ANY_FAILURE_IN_ONE_PERIOD,
      });
      expect(topics(properties.AlarmActions)).toEqual(['chat', 'email']);
      expect(topics(properties.OKActions)).toEqual(['chat', 'email']);
    }
  });
});

describe('the incident path alarms', () => {
  const template = synthBeforeAll({
    ...minimalSettings(),
    pagerDuty: {
      routingKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf',
    },
  });

  it.each([
    ['eventbus', /^IncidentsEventsDeadLetters/],
    ['pagerduty', /^IncidentsPagerDutyDeadLetters/],
  ])('fire on anything in the %s dead-letter queue, telling e-mail and chat', (subject, queue) => {
    const properties = alarm(template(), 'deadletters', subject);
    expect(properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(queue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(topics(properties.AlarmActions)).toEqual(['chat', 'email']);
    expect(topics(properties.OKActions)).toEqual(['chat', 'email']);
  });
});
