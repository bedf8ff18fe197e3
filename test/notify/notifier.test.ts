import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { publishInput, SnsNotifier } from '../../functions/notify/notifier.ts';

const _ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';

describe('SnsNotifier', () => {
  it('publishes a plain String message with String attributes to the channel topic', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), {
      sms: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-sms',
      email: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
    });
    expect(notifier.channels).toEqual(['email', 'sms']);
    await notifier.publish({
      channel: 'email',
      subject: '[FAILED] Replica job "SQL Replication" on vbr01: 2 of 5 VMs failed',
      message: 'body',
      attributes: { event: 'failure', severity: 'Failed' },
    });
    await notifier.publish({
      channel: 'sms',
      message: 'FAILED SQL Replication',
      attributes: { event: 'failure' },
    });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
        Subject: '[FAILED] Replica job "SQL Replication" on vbr01: 2 of 5 VMs failed',
        Message: 'body',
        MessageAttributes: {
          event: { DataType: 'String', StringValue: 'failure' },
          severity: { DataType: 'String', StringValue: 'Failed' },
        },
      },
      {
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-sms',
        Message: 'FAILED SQL Replication',
        MessageAttributes: { event: { DataType: 'String', StringValue: 'failure' } },
      },
    ]);
    await expect(notifier.publish({ channel: 'chat', message: 'x', attributes: {} })).rejects.toThrow(
      /No SNS topic/,
    );
    sns.restore();
  });
});

describe('publishInput', () => {
  it("sends a group's names as String.Array attributes (JSON), and one value as String", () => {
    const input = publishInput(
      {
        channel: 'email',
        subject: '[FAILED] 12 replica jobs on em-prod: 27 of 37 VMs failed',
        message: 'body',
        attributes: {
          event: 'failure',
          subjectKind: ['replica-job'],
          job: ['SQL Replication', 'Exchange "DR"', 'Zürich'],
        },
      },
      'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
    );
    expect(input).toEqual({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
      Subject: '[FAILED] 12 replica jobs on em-prod: 27 of 37 VMs failed',
      Message: 'body',
      MessageAttributes: {
        event: { DataType: 'String', StringValue: 'failure' },
        subjectKind: { DataType: 'String.Array', StringValue: '["replica-job"]' },
        job: { DataType: 'String.Array', StringValue: '["SQL Replication","Exchange \\"DR\\"","Zürich"]' },
      },
    });
  });
});
