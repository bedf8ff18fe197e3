// Secrets Manager and SNS as one local HTTP endpoint, for the bundled handler in a child process (where
// aws-sdk-client-mock cannot reach) and for the benchmark's storm: it answers the calls the poller makes, in each
// service's own wire protocol (Secrets Manager: AWS JSON 1.1; SNS: AWS Query with an XML answer), Publish and
// PublishBatch alike, after `delayMs` if given, and records what was asked.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FakeAws {
  /** For AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SNS. */
  endpoint: string;
  secretRequests: Record<string, unknown>[];
  /**
   * One record per message published: a Publish call's form, or a PublishBatch entry's fields (`Id`, `Message`,
   * `Subject`, `MessageAttributes.entry.N...`) with its call's `TopicArn`.
   */
  publishes: Record<string, string>[];
  /** SNS calls by Action (Publish, PublishBatch). */
  snsCalls: Record<string, number>;
  /** Per TopicArn: the SNS calls made to it and the messages they carried. */
  topics: Record<string, { calls: number; messages: number }>;
  close(): Promise<void>;
}

export interface FakeAwsOptions {
  /** Wait this long before answering each request, as a real endpoint's round trip does. Default 0. */
  delayMs?: number;
}

const BATCH_ENTRY = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/;

/** `secrets` maps a secret ARN to its SecretString. */
export async function startFakeAws(
  secrets: Record<string, string>,
  { delayMs = 0 }: FakeAwsOptions = {},
): Promise<FakeAws> {
  const secretRequests: Record<string, unknown>[] = [];
  const publishes: Record<string, string>[] = [];
  const snsCalls: Record<string, number> = {};
  const topics: FakeAws['topics'] = {};
  const count = (form: Record<string, string>, messages: number) => {
    const action = form.Action ?? '?';
    snsCalls[action] = (snsCalls[action] ?? 0) + 1;
    const arn = form.TopicArn ?? '?';
    const topic = topics[arn] ?? { calls: 0, messages: 0 };
    topics[arn] = { calls: topic.calls + 1, messages: topic.messages + messages };
  };
  const answer = (request: IncomingMessage, body: string, response: ServerResponse) => {
    if (request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
      const input = JSON.parse(body) as { SecretId: string };
      secretRequests.push(input);
      const secret = secrets[input.SecretId];
      if (secret === undefined) return reply(response, 400, JSON_11, { __type: 'ResourceNotFoundException' });
      return reply(response, 200, JSON_11, { ARN: input.SecretId, Name: 'em', SecretString: secret });
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    if (form.Action === 'Publish') {
      publishes.push(form);
      count(form, 1);
      return reply(response, 200, 'text/xml', snsAnswer('Publish', `<MessageId>${randomUUID()}</MessageId>`));
    }
    if (form.Action === 'PublishBatch') {
      const entries = batchEntries(form);
      publishes.push(...entries);
      count(form, entries.length);
      const members = entries.map(
        (entry) => `<member><Id>${entry.Id}</Id><MessageId>${randomUUID()}</MessageId></member>`,
      );
      return reply(
        response,
        200,
        'text/xml',
        snsAnswer('PublishBatch', `<Successful>${members.join('')}</Successful><Failed/>`),
      );
    }
    return reply(response, 400, 'text/plain', `unexpected call: ${body}`);
  };
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const answered = delayMs ? sleep(delayMs) : Promise.resolve();
      void answered.then(() => answer(request, body, response));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secretRequests,
    publishes,
    snsCalls,
    topics,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections(); // the SDK keeps its sockets alive
      }),
  };
}

/** A PublishBatch form's entries, in order, each with the call's TopicArn. */
function batchEntries(form: Record<string, string>): Record<string, string>[] {
  const entries = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(form)) {
    const match = BATCH_ENTRY.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const entry = entries.get(index) ?? { TopicArn: form.TopicArn ?? '' };
    entry[match[2] as string] = value;
    entries.set(index, entry);
  }
  return [...entries.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

/** An SNS Query answer: `<{action}Response><{action}Result>{result}</...>` with its request id. */
const snsAnswer = (action: string, result: string) =>
  `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result>${result}</${action}Result>` +
  `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;

const JSON_11 = 'application/x-amz-json-1.1';

function reply(response: ServerResponse, status: number, type: string, body: unknown): void {
  response.writeHead(status, { 'content-type': type });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}
