// The poller child seen from the benchmark: a fresh node process on the bundled poller-child.ts, asked over IPC to
// poll or to replay a download, with its V8 heap capped as a Lambda's runtime caps it.

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { ChildConfig, FloorResult, FromChild, PollResult, ReplayRequest, ToChild } from './protocol.ts';

/** The SDK warns once per process that Node 20 support ends; the Lambda runs Node 24 anyway. */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** The poller process: plain node on the bundled child, so no TypeScript loader counts in its memory. */
export class PollerChild {
  readonly process: ChildProcess;
  readonly ready: Promise<{ maxRss: number }>;

  constructor(file: string, config: ChildConfig) {
    this.process = fork(file, [JSON.stringify(config)], {
      // A 256 MB Lambda's runtime caps V8's heap below the function's memory; model that cap (0: unbounded).
      execArgv: config.heapMb ? [`--max-old-space-size=${config.heapMb}`] : [],
      env: { ...process.env, ...QUIET_SDK },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = this.next('ready');
  }

  poll(table: string, now: string): Promise<PollResult> {
    return this.ask({ kind: 'poll', table, now }, 'poll');
  }

  floor(requests: ReplayRequest[]): Promise<FloorResult> {
    return this.ask({ kind: 'floor', requests }, 'floor');
  }

  async exit(): Promise<void> {
    const exited = once(this.process, 'exit');
    this.process.send({ kind: 'exit' } satisfies ToChild);
    await exited;
  }

  private ask<K extends FromChild['kind']>(
    message: ToChild,
    kind: K,
  ): Promise<Extract<FromChild, { kind: K }>> {
    const answer = this.next(kind);
    this.process.send(message);
    return answer;
  }

  private next<K extends FromChild['kind']>(kind: K): Promise<Extract<FromChild, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`The poller child exited (${code}).`));
      this.process.once('exit', onExit);
      this.process.once('message', (message: FromChild) => {
        this.process.off('exit', onExit);
        if (message.kind === kind) resolve(message as Extract<FromChild, { kind: K }>);
        else
          reject(
            new Error(message.kind === 'error' ? message.message : `Expected ${kind}, got ${message.kind}`),
          );
      });
    });
  }
}
