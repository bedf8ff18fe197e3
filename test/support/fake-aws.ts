// Secrets Manager and SNS as one local HTTP endpoint, for the bundled handler in a child process (where
// aws-sdk-client-mock cannot reach): it answers the two calls the poller makes, in each service's own wire
// protocol (Secrets Manager: AWS JSON 1.1; SNS: AWS Query with an XML answer), and records what was asked.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAws {
  /** For AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SNS. */
  endpoint: string;
  secretRequests: Record<string, unknown>[];
  publishes: Record<string, string>[];
  close(): Promise<void>;
}

/** `secrets` maps a secret ARN to its SecretString. */
export async function startFakeAws(secrets: Record<string, string>): Promise<FakeAws> {
  const secretRequests: Record<string, unknown>[] = [];
  const publishes: Record<string, string>[] = [];
  const answer = (request: IncomingMessage, body: string, response: ServerResponse) => {
    if (request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
      const input = JSON.parse(body) as { SecretId: string };
      secretRequests.push(input);
      const secret = secrets[input.SecretId];
      if (secret === undefined) return reply(response, 400, JSON_11, { __type: 'ResourceNotFoundException' });
      return reply(response, 200, JSON_11, { ARN: input.SecretId, Name: 'em', SecretString: secret });
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    if (form.Action !== 'Publish') return reply(response, 400, 'text/plain', `unexpected call: ${body}`);
    publishes.push(form);
    return reply(
      response,
      200,
      'text/xml',
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}` +
        `</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  };
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => answer(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secretRequests,
    publishes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const JSON_11 = 'application/x-amz-json-1.1';

function reply(response: ServerResponse, status: number, type: string, body: unknown): void {
  response.writeHead(status, { 'content-type': type });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}
