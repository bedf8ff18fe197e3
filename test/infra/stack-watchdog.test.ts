// Watching the watcher: the alarms on the poller and where they notify.

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { constructName, minimalSettings, onlyResource, synthBeforeAll } from './fixtures/stack.ts';

interface AlarmProperties {
  AlarmActions: { Ref: string }[];
  OKActions: { Ref: string }[];
  TreatMissingData: string;
  AlarmDescription: string;
}

function alarm(template: Template, name: string): AlarmProperties {
  return onlyResource(template, 'AWS::CloudWatch::Alarm', { AlarmName: `ReplicaAlerts-poller-${name}` });
}

/** The topics an alarm action list points at, by construct name. */
function topics(actions: { Ref: string }[]): string[] {
  return actions.map((action) => constructName(action.Ref).replace(/^Topics/, '')).sort();
}

describe('the poller alarms', () => {
  const template = synthBeforeAll({ ...minimalSettings(), schedule: { everyMinutes: 10 } });

  it('are five, each telling e-mail and chat when it fires and when it clears, never the events topic', () => {
    template().resourceCountIs('AWS::CloudWatch::Alarm', 5);
    for (const name of ['errors', 'throttles', 'duration', 'deadletters']) {
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
