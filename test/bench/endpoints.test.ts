// The storm's endpoints, driven by the real SDK clients: SNS (test/support/fake-aws.ts) answers Publish and
// PublishBatch after its delay and counts per topic; the DynamoDB proxy forwards to dynalite after its delay and
// counts by operation.

import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient, snsClient } from '../../functions/poller/clients.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import { type FakeAws, startFakeAws } from '../support/fake-aws.ts';
import { type LatencyProxy, startLatencyProxy } from './latency-proxy.ts';

const DUMMY = { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-events';

let aws: FakeAws;
let dynamo: LocalDynamo;
let proxy: LatencyProxy;
beforeAll(async () => {
  aws = await startFakeAws({}, { delayMs: 25 });
  dynamo = await startDynalite();
  await ensureTable(localClient(dynamo.endpoint), 'proxied');
  proxy = await startLatencyProxy(dynamo.endpoint, 8);
});
afterAll(async () => {
  await aws?.close();
  await proxy?.close();
  await dynamo?.close();
});

describe('the storm endpoints', () => {
  it('SNS answers Publish and PublishBatch after its delay, counting calls and messages per topic', async () => {
    const sns = snsClient({ ...DUMMY, endpoint: aws.endpoint });
    const started = performance.now();
    const one = await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'one', Subject: 'first' }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(24);
    expect(one.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn: TOPIC,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'two' },
          {
            Id: 'b',
            Message: 'three',
            MessageAttributes: { severity: { DataType: 'String', StringValue: 'Failed' } },
          },
        ],
      }),
    );
    sns.destroy();
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(batch.Failed ?? []).toEqual([]);
    expect(aws.snsCalls).toEqual({ Publish: 1, PublishBatch: 1 });
    expect(aws.topics).toEqual({ [TOPIC]: { calls: 2, messages: 3 } });
    expect(aws.publishes.map((p) => [p.TopicArn, p.Message])).toEqual([
      [TOPIC, 'one'],
      [TOPIC, 'two'],
      [TOPIC, 'three'],
    ]);
    expect(aws.publishes[2]).toMatchObject({ 'MessageAttributes.entry.1.Value.StringValue': 'Failed' });
  });

  it('the DynamoDB proxy forwards as is after its delay and counts by operation', async () => {
    const client = dynamoClient({ ...DUMMY, endpoint: proxy.endpoint });
    const Key = { pk: { S: 'EM#x' }, sk: { S: 'META' } };
    await client.send(new PutItemCommand({ TableName: 'proxied', Item: { ...Key, data: { S: 'hello' } } }));
    const { Item } = await client.send(new GetItemCommand({ TableName: 'proxied', Key }));
    client.destroy();
    expect(Item?.data).toEqual({ S: 'hello' });
    expect(proxy.operations).toEqual({ PutItem: 1, GetItem: 1 });
    expect(proxy.busyMs()).toBeGreaterThanOrEqual(16);
  });
});
