// The AWS SDK's retries, over real HTTP: aws-sdk-client-mock replaces `send`, retries included, so here the
// clients the Lambda and the CLI build (functions/poller/clients.ts) talk to stub endpoints that fail first:
// DynamoDB through a proxy in front of dynalite that throttles, SNS through a stub that answers 500.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../functions/notify/notifier.ts';
import { dynamoClient, snsClient } from '../../functions/poller/clients.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import { suiteDynalite } from '../support/dynalite.ts';

const LOCAL = { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** An HTTP endpoint that answers request n (from 1) with `answer`; `forward` when that gives nothing. */
async function stub(
  answer: (n: number) => Answer | undefined,
  forward?: (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void>,
) {
  let requests = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const given = answer(++requests);
    if (given) res.writeHead(given.status, { 'content-type': given.type }).end(given.body);
    else await forward?.(req, Buffer.concat(chunks), res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

const json = (status: number, type: string, message: string): Answer => ({
  status,
  type: 'application/x-amz-json-1.0',
  body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
});

describe('DynamoDB through the runtime client', () => {
  const dynamo = suiteDynalite();
  beforeAll(() => ensureTable(localClient(dynamo.endpoint), 'state'));

  /** Passes a request on to dynalite as it came. */
  async function toDynalite(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !['host', 'content-length'].includes(name)),
    ) as Record<string, string>;
    const answer = await fetch(dynamo.endpoint, { method: 'POST', headers, body });
    res
      .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' })
      .end(Buffer.from(await answer.arrayBuffer()));
  }

  it.each([
    ['ProvisionedThroughputExceededException', 'The level of configured provisioned throughput was exceeded'],
    ['ThrottlingException', 'Rate of requests exceeds the allowed throughput'],
  ])('retries a %s, and the write lands', async (type, message) => {
    const proxy = await stub((n) => (n === 1 ? json(400, type, message) : undefined), toDynalite);
    const client = dynamoClient({ ...LOCAL, endpoint: proxy.url });
    try {
      const store = new DynamoStateStore(client, 'state');
      expect(
        await store.tryLease({ scope: `lease-${type}`, holder: 'poller', nowMs: Date.now(), ttlMs: 60_000 }),
      ).toBe(true);
      expect(proxy.requests()).toBe(2);
      // Landed once: a second holder does not get the lease.
      expect(
        await store.tryLease({ scope: `lease-${type}`, holder: 'other', nowMs: Date.now(), ttlMs: 60_000 }),
      ).toBe(false);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('surfaces the error after its last attempt', async () => {
    const proxy = await stub(() => json(500, 'InternalServerError', 'Internal server error'));
    const client = dynamoClient({ ...LOCAL, endpoint: proxy.url });
    try {
      const store = new DynamoStateStore(client, 'state');
      await expect(
        store.tryLease({ scope: 'lease', holder: 'poller', nowMs: Date.now(), ttlMs: 60_000 }),
      ).rejects.toMatchObject({
        name: 'InternalServerError',
        $metadata: { attempts: 6 },
      });
      expect(proxy.requests()).toBe(6);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});

describe('SNS through the runtime client', () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ra-email';
  const PUBLISHED: Answer = {
    status: 200,
    type: 'text/xml',
    body:
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
      '<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>' +
      '<ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata>' +
      '</PublishResponse>',
  };
  const FAILED: Answer = {
    status: 500,
    type: 'text/xml',
    body:
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type>' +
      '<Code>InternalError</Code><Message>Internal error</Message></Error>' +
      '<RequestId>a8dec8b3-33a4-11df-8963-01868b7c937a</RequestId></ErrorResponse>',
  };
  const publication = {
    channel: 'email' as const,
    subject: 'Test',
    message: 'Hello',
    attributes: { event: 'test' },
  };

  it('retries a 500, and the message is published once', async () => {
    const sns = await stub((n) => (n === 1 ? FAILED : PUBLISHED));
    const client = snsClient({ ...LOCAL, endpoint: sns.url });
    try {
      await new SnsNotifier(client, { email: TOPIC }).publish(publication);
      expect(sns.requests()).toBe(2);
    } finally {
      client.destroy();
      await sns.close();
    }
  });

  it('surfaces the error after its last attempt', async () => {
    const sns = await stub(() => FAILED);
    const client = snsClient({ ...LOCAL, endpoint: sns.url });
    try {
      await expect(new SnsNotifier(client, { email: TOPIC }).publish(publication)).rejects.toMatchObject({
        name: 'InternalErrorException',
        $metadata: { httpStatusCode: 500, attempts: 5 },
      });
      expect(sns.requests()).toBe(5);
    } finally {
      client.destroy();
      await sns.close();
    }
  });
});
