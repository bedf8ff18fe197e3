// Messages between the benchmark (which hosts the EM simulator and dynalite) and the poller child process, which
// runs alone so that its peak RSS is the poll's and not the simulator's.

import type { Channel } from '../../functions/messages/types.ts';
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
  /** Publish with the SNS client to these topics at this endpoint, as the Lambda does; default: only count. */
  sns?: { endpoint: string; topics: Partial<Record<Channel, string>> };
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

/** Given to the CLI child (test/bench/cli-child.ts, JSON in argv[2]); the EM credentials go in its environment. */
export interface CliConfig {
  emUrl: string;
  /** The EM's simulated time: the CLI's clock. */
  now: string;
  /** Its `--state DIR`: a fresh directory, so the poll is a first one. */
  stateDir: string;
}

/** What the CLI child reports, on a line of its own starting `RESULT `. */
export interface CliResult {
  /** The command's exit code. */
  code: number;
  /** `main` from start to end: opening the embedded store, the poll, closing the store. */
  wallMs: number;
  /** Lines printed by `--output sns`, by channel. */
  printed: Record<string, number>;
  /** Commands its DynamoDB client sent to the embedded store, by name (the table's creation included). */
  dynamo: Record<string, number>;
  /** What it wrote to stderr: its summary line. */
  stderr: string[];
}
