// Messages between the benchmark (which hosts the EM simulator and dynalite) and the poller child process, which
// runs alone so that its peak RSS is the poll's and not the simulator's.

import type { PollSummary } from '../../functions/poller/poll.ts';

/** Given to the child at start-up (JSON in argv[2]). */
export interface ChildConfig {
  emUrl: string;
  user: { username: string; password: string };
  dynamoEndpoint: string;
  pageSize: number;
  /** Minutes a first poll looks back: the whole estate. */
  lookback: number;
  /** V8 heap cap of the poller process in MB (0: unbounded). */
  heapMb: number;
}

export type ToChild =
  /** One pollEm against `table` with the EM's simulated time as `now`. */
  | { kind: 'poll'; table: string; now: string }
  /** Logon, GET each request sequentially without parsing, logoff: the download floor. */
  | { kind: 'floor'; requests: ReplayRequest[] }
  | { kind: 'exit' };

export interface ReplayRequest {
  path: string;
  query: Record<string, string>;
}

export interface PollResult {
  kind: 'poll';
  summary: PollSummary;
  wallMs: number;
  /** DynamoDB commands sent during the poll, by command name. */
  dynamo: Record<string, number>;
  /** Peak RSS of the child so far (process.resourceUsage().maxRSS), bytes. */
  maxRss: number;
  /** Sampled every 10 ms during the poll: the peak of process.memoryUsage().rss, bytes. */
  sampledRss: number;
  heapUsed: number;
}

export interface FloorResult {
  kind: 'floor';
  wallMs: number;
  requests: number;
  bytes: number;
}

export type FromChild =
  | { kind: 'ready'; maxRss: number }
  | PollResult
  | FloorResult
  | { kind: 'error'; message: string };
