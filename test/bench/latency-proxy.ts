// DynamoDB at a distance: an HTTP proxy in front of dynalite that holds each request `delayMs` before forwarding it
// as is (a round trip to a DynamoDB endpoint in the same region), counts requests by operation (X-Amz-Target) and
// adds up how long each one took, from its arrival to its answer's last byte.

import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LatencyProxy {
  endpoint: string;
  /** Requests by operation: `DynamoDB_20120810.GetItem` counts as `GetItem`. */
  operations: Record<string, number>;
  /** The requests' durations added up, delay included (ms). */
  busyMs(): number;
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, delayMs: number): Promise<LatencyProxy> {
  const operations: Record<string, number> = {};
  let busyMs = 0;
  const agent = new Agent({ keepAlive: true });
  const server = createServer((incoming, outgoing) => {
    const arrived = performance.now();
    const operation = String(incoming.headers['x-amz-target'] ?? '?').replace(/^.*\./, '');
    operations[operation] = (operations[operation] ?? 0) + 1;
    const body: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => body.push(chunk));
    incoming.on('end', async () => {
      await sleep(delayMs);
      const forwarded = request(
        new URL(incoming.url ?? '/', target),
        { method: incoming.method, headers: incoming.headers, agent },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
          answer.on('end', () => {
            busyMs += performance.now() - arrived;
          });
        },
      );
      forwarded.on('error', (error) => outgoing.writeHead(502).end(String(error)));
      forwarded.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    busyMs: () => busyMs,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
