// Watching the watcher: the alarms on the poller and where they notify.

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { minimalSettings, synthTemplate } from './fixtures/stack.ts';

interface AlarmProperties {
  AlarmActions: { Ref: string }[];
  OKActions: { Ref: string }[];
  TreatMissingData: string;
  AlarmDescription: string;
}
type Resource = { Properties: AlarmProperties };

function alarm(template: Template, name: string): Resource {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `ReplicaAlerts-poller-${name}` },
    }),
  );
  expect(found).toHaveLength(1);
  return found[0] as Resource;
}

/** The topics an alarm action list points at, by construct name. */
function topics(actions: { Ref: string }[]): string[] {
  return actions.map((action) => action.Ref.replace(/^Topics|[0-9A-F]{8}$/g, '')).sort();
}

describe('the poller alarms', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate({ ...minimalSettings(), schedule: { everyMinutes: 10 } });
  });

  it('are five, each telling e-mail and chat when it fires and when it clears, never the events topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    for (const name of ['errors', 'throttles', 'duration', 'deadletters']) {
      const { Properties } = alarm(template, name);
      expect(topics(Properties.AlarmActions)).toEqual(['chat', 'email']);
      expect(topics(Properties.OKActions)).toEqual(['chat', 'email']);
      expect(Properties.TreatMissingData).toBe('notBreaching');
      expect(Properties.AlarmDescription).toMatch(/replica-alerts/);
    }
  });

  it('fire on any error, throttle or dead letter', () => {
    for (const [name, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
      ['deadletters', 'ApproximateNumberOfMessagesVisible'],
    ]) {
      expect(alarm(template, name as string).Properties).toMatchObject({
        MetricName: metric,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('fire when a run takes 80% of the timeout', () => {
    expect(alarm(template, 'duration').Properties).toMatchObject({
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 240_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire when the heartbeat is missing for two schedule periods, also by SMS', () => {
    const { Properties } = alarm(template, 'heartbeat');
    expect(Properties).toMatchObject({
      Namespace: 'ReplicaAlerts',
      MetricName: 'Heartbeat',
      Dimensions: [{ Name: 'service', Value: 'replica-alerts' }],
      Statistic: 'Sum',
      Period: 1200,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(topics(Properties.AlarmActions)).toEqual(['chat', 'email', 'heartbeatsms']);
    expect(topics(Properties.OKActions)).toEqual(['chat', 'email', 'heartbeatsms']);
  });

  it('look at the poller function and its dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^PollerFunction') } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
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
