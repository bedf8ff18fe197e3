import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SNS_MAX_BYTES } from '../../functions/messages/limits.ts';
import {
  BATCH_ENTRIES,
  inBatches,
  type Publication,
  publishInput,
  SnsNotifier,
} from '../../functions/notify/notifier.ts';

const _ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';
const EVENTS_ARN = 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-events';

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

  it('publishes a batch to the channel topic in one PublishBatch, entries named by index, and says what SNS refused', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm-0' }],
      Failed: [{ Id: '2', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });
    const notifier = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), { events: EVENTS_ARN });
    const batch: Publication[] = ['a', 'b', 'c'].map((id) => ({
      channel: 'events',
      message: `{"id":"${id}"}`,
      attributes: { event: 'failure', job: ['Büro "Nord"'] },
    }));
    // Entry 1 is in neither list: not accepted either.
    expect(await notifier.publishBatch(batch)).toEqual([
      { index: 1, reason: 'not in the answer of PublishBatch' },
      { index: 2, reason: 'InternalError: try again' },
    ]);
    expect(sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: EVENTS_ARN,
        PublishBatchRequestEntries: ['a', 'b', 'c'].map((id, index) => ({
          Id: String(index),
          Message: `{"id":"${id}"}`,
          MessageAttributes: {
            event: { DataType: 'String', StringValue: 'failure' },
            job: { DataType: 'String.Array', StringValue: '["Büro \\"Nord\\""]' },
          },
        })),
      },
    ]);
    expect(await notifier.publishBatch([])).toEqual([]);
    await expect(
      notifier.publishBatch([batch[0] as Publication, { ...(batch[1] as Publication), channel: 'sms' }]),
    ).rejects.toThrow(/one channel/);
    await expect(notifier.publishBatch([{ ...(batch[0] as Publication), channel: 'sms' }])).rejects.toThrow(
      /No SNS topic/,
    );
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(1);
    sns.restore();
  });
});

describe('inBatches', () => {
  const publication = (bytes: number): Publication => ({
    channel: 'events',
    message: 'x'.repeat(bytes),
    attributes: {},
  });

  it('cuts at 10 entries and at 256 KiB of messages and attributes, keeping the order', () => {
    const small = Array.from({ length: 23 }, (_, i) => i);
    expect(inBatches(small, () => publication(100)).map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(BATCH_ENTRIES).toBe(10);
    const third = Math.floor(SNS_MAX_BYTES / 3);
    // Three fit exactly; a fourth goes into the next batch, and so does a message as large as SNS takes.
    const sizes = [third, third, third, 10, SNS_MAX_BYTES, 10];
    expect(inBatches(sizes, (size) => publication(size))).toEqual([
      [third, third, third],
      [10],
      [SNS_MAX_BYTES],
      [10],
    ]);
    expect(inBatches([], () => publication(1))).toEqual([]);
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
