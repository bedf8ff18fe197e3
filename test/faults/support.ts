// The fault trials' world: the real poller against the simulator over HTTP, state in dynalite, SNS mocked at the
// SDK. Every state-store write, every publish and every EM request is a numbered "step" of its poll, labelled
// with what it is (the store operation, the channel, the kind of request); a trial arms hooks on the steps of
// one poll (throw instead of writing, write then die, pause and let another poll run...), see probes.ts.
import { createServer } from 'node:net';
import {
  type AttributeValue,
  DeleteTableCommand,
  type DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import {
  PublishBatchCommand,
  type PublishBatchCommandInput,
  type PublishBatchCommandOutput,
  PublishCommand,
  type PublishCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  SNSClient,
  type SNSClientResolvedConfig,
} from '@aws-sdk/client-sns';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { type AlertEvent, DEFAULT_SETTINGS, type Settings } from '../../functions/alerts/index.ts';
import { SnsNotifier } from '../../functions/notify/notifier.ts';
import type { EmTarget } from '../../functions/poller/env.ts';
import {
  type Log,
  leaseMs,
  type PollerDeps,
  type PollOptions,
  type PollSummary,
  pollEm,
} from '../../functions/poller/poll.ts';
import { type ReadState, type StoredReadState, upgrade } from '../../functions/poller/read.ts';
import { type RequestRecord, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient } from '../../functions/state/local.ts';
import type { StateStore } from '../../functions/state/store.ts';
import { canaryUser } from '../support/canary.ts';
import { publishedTo } from '../support/sns-mock.ts';
import { type Day, POLL_TIMES } from './day.ts';
import { Crash, type Hooks, Ledger, ProbedStore, Run, WriteCounter, type WriteOp } from './probes.ts';

export const USER = canaryUser('TECH\\svc-faults', 'portal-administrator'); // it reads the schedules too
export const TOPICS: Record<string, string> = {
  chat: 'arn:aws:sns:eu-west-1:123456789012:ra-chat',
  email: 'arn:aws:sns:eu-west-1:123456789012:ra-email',
  events: 'arn:aws:sns:eu-west-1:123456789012:ra-events',
  sms: 'arn:aws:sns:eu-west-1:123456789012:ra-sms',
};
export const SETTINGS: Settings = { ...DEFAULT_SETTINGS, retryHold: 15 };
/** Short enough that a poll abandoned while holding the lease does not block the next scheduled one. */
export const DEADLINE_MS = 20_000;
export const POLL_OPTIONS: Omit<PollOptions, 'em'> = { settings: SETTINGS, deadlineMs: DEADLINE_MS };
export const LEASE_MS = leaseMs(POLL_OPTIONS);
const EM_OPTIONS = {
  retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  requestTimeoutMs: 300, // a hung request costs little
  pageSize: 3, // so that queries have second pages
};

/** The world whose process the mocked SNS is talking to (one world at a time per test file). */
let publishing: { run: Run; ledger: Ledger } | undefined;
let mocked: AwsStub<ServiceInputTypes, ServiceOutputTypes, SNSClientResolvedConfig> | undefined;

/**
 * One SNS call as a step of the publishing world's process: numbered, labelled with its channel (and `batch` for a
 * PublishBatch), hooked before and after; `answer` records what SNS accepted and answers.
 */
async function snsStep<T>(
  topicArn: string | undefined,
  batch: boolean,
  answer: (step: { run: Run; ledger: Ledger; n: number }) => T,
): Promise<T> {
  if (!publishing) throw new Error('No world is publishing');
  const { run, ledger } = publishing;
  run.alive();
  const channel = ledger.channel(topicArn);
  const n = run.publishes.push(batch ? `${channel} batch` : channel);
  await run.hooks.beforePublish?.(n, run);
  const answered = answer({ run, ledger, n });
  await run.hooks.afterPublish?.(n, run);
  return answered;
}

/**
 * SNS mocked at the SDK, installed on first use so that importing this module mocks nothing; its fakes once (each
 * `on` adds a sinon fake that every later send walks: re-registered per trial, a full run slowed down quadratically).
 */
function sns() {
  if (mocked) return mocked;
  mocked = mockClient(SNSClient);
  mocked.on(PublishCommand).callsFake((input: PublishCommandInput) =>
    snsStep(input.TopicArn, false, ({ ledger }) => {
      ledger.accept(input);
      return { MessageId: `m-${ledger.deliveries.length}` };
    }),
  );
  mocked.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) =>
    snsStep(input.TopicArn, true, ({ run, ledger, n }) => {
      const refused = new Set(run.hooks.refuse?.(n));
      const answer: PublishBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
      for (const [index, entry] of (input.PublishBatchRequestEntries ?? []).entries()) {
        if (refused.has(index)) {
          answer.Failed?.push({
            Id: entry.Id,
            Code: 'InternalError',
            SenderFault: false,
            Message: 'simulated',
          });
        } else {
          ledger.accept({ TopicArn: input.TopicArn, ...entry });
          answer.Successful?.push({ Id: entry.Id, MessageId: `m-${ledger.deliveries.length}` });
        }
      }
      return answer;
    }),
  );
  return mocked;
}

/** Per poll of a trial: its steps of each kind in order, each by its label, and how it ended. */
export interface PollRecord {
  /** The store operation of each state write. */
  writes: WriteOp[];
  /** The channel of each publish. */
  publishes: string[];
  /** What each EM request was (see `requestKind`). */
  emRequests: string[];
  /** What each request for the second page of a query read. */
  page2: string[];
  outcome: PollSummary['status'] | 'crashed' | 'threw';
  /** Events left with channels to deliver (only known when the poll returned). */
  pending: number;
}

/** What a trial may change about one poll. */
export interface PollTweaks {
  hooks?: Hooks;
  /** Added to the poller's clock for this poll (the EM's clock is the simulator's). */
  clockOffsetMs?: number;
  /** Where the poller looks for the EM during this poll. */
  url?: string;
  /** Undoes the fault once the poll ended, however it ended. */
  after?(): void;
}

export type Prepare = () => Promise<PollTweaks> | PollTweaks;

let tables = 0;

const WRITE_COMMANDS = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Counts the client's DynamoDB writes that took effect (a failed condition or a throttle writes nothing). */
export function countWrites(client: DynamoDBClient): WriteCounter {
  const writes = new WriteCounter();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      if (WRITE_COMMANDS.has(context.commandName ?? '')) writes.took();
      return output;
    },
    { step: 'initialize', name: 'faultsCountWrites' },
  );
  return writes;
}

/**
 * What an EM request was, as the matrix labels its steps: logon, logoff, the list of backup servers, or the entity
 * type a query read.
 */
function requestKind(request: RequestRecord): string {
  if (request.method === 'POST' && request.path.startsWith('/api/sessionMngr')) return 'logon';
  if (request.method === 'DELETE' && request.path.startsWith('/api/logonSessions/')) return 'logoff';
  if (request.method === 'GET' && /^\/api\/backupServers\/?$/.test(request.path)) return 'backupServers';
  return request.query.type ?? `${request.method} ${request.path}`;
}

/** One replay of the scripted day, on a fresh table and a fresh simulator. */
export class World {
  readonly ledger = new Ledger(TOPICS, SETTINGS.timeZone);
  readonly logs: string[] = [];
  readonly errors: string[] = [];
  readonly polls: PollRecord[] = [];
  /** The state table's items as the day left them, read when the world closes. */
  private stored: Record<string, AttributeValue>[] = [];
  /** Run at the start of every poll once the EM's clock is set: a fault that outlasts its poll (see `everyPoll`). */
  private readonly onPoll: ((index: number, time: string) => void)[] = [];
  private readonly times: string[];
  readonly sim: Simulator;
  readonly day: Day;
  private readonly store: StateStore;
  private readonly dropTable: () => Promise<Record<string, AttributeValue>[]>;
  private readonly writes: WriteCounter;
  private constructor(parts: {
    sim: Simulator;
    store: StateStore;
    day: Day;
    dropTable: () => Promise<Record<string, AttributeValue>[]>;
    writes: WriteCounter;
  }) {
    ({
      sim: this.sim,
      store: this.store,
      day: this.day,
      dropTable: this.dropTable,
      writes: this.writes,
    } = parts);
    this.times = this.day.times ?? POLL_TIMES;
  }

  static async start(endpoint: string, day: Day): Promise<World> {
    const client = localClient(endpoint);
    const table = `faults-${process.pid}-${++tables}`;
    await ensureTable(client, table);
    const writes = countWrites(client);
    const sim = await startSimulator({ scenario: day.scenario, users: [USER] });
    sns().resetHistory();
    // Thousands of trials: each table is dropped once read for the transcript.
    const dropTable = async () => {
      const items: Record<string, AttributeValue>[] = [];
      for await (const page of paginateScan({ client }, { TableName: table }))
        items.push(...(page.Items ?? []));
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy(); // its sockets to dynalite, which lives as long as the file's trials
      return items;
    };
    return new World({
      sim,
      store: new DynamoStateStore(client, table),
      day,
      dropTable,
      writes,
    });
  }

  /** Runs the poll with this index of the day; `prepare`, called once the EM's clock is set, arms a fault. */
  async poll(index: number, prepare?: Prepare): Promise<PollRecord> {
    const time = this.times[index];
    if (!time) throw new RangeError(`The day has no poll ${index}`);
    this.sim.clock.set(time);
    const late = this.day.late.get(index);
    if (late) this.sim.add(late);
    for (const step of this.onPoll) step(index, time);
    const tweaks = (await prepare?.()) ?? {};
    const run = new Run(tweaks.hooks);
    const requestsBefore = this.sim.requests.length;
    publishing = { run, ledger: this.ledger };
    const record: PollRecord = {
      writes: run.writes,
      publishes: run.publishes,
      emRequests: [],
      page2: [],
      outcome: 'ok',
      pending: 0,
    };
    try {
      const summary = await this.pollOnce(run, tweaks);
      Object.assign(record, { outcome: summary.status, pending: summary.pending });
    } catch (error) {
      record.outcome = error instanceof Crash ? 'crashed' : 'threw';
      if (!(error instanceof Crash))
        this.errors.push(`${(error as Error).name}: ${(error as Error).message}`);
    } finally {
      tweaks.after?.();
    }
    const requests = this.sim.requests.slice(requestsBefore);
    record.emRequests = requests.map(requestKind);
    record.page2 = requests.filter((r) => r.path === '/api/query' && r.query.page === '2').map(requestKind);
    this.polls.push(record);
    return record;
  }

  /**
   * From the next poll on, `step` runs at the start of every poll, once the EM's clock is set and before any
   * fault of that poll is armed: a fault that changes over the rest of the day (a backlog caught up later).
   */
  everyPoll(step: (index: number, time: string) => void): void {
    this.onPoll.push(step);
  }

  /** One pollEm as one process; also used for a second poll running alongside (with its own process). */
  pollOnce(run: Run, tweaks: PollTweaks = {}): Promise<PollSummary> {
    const offset = tweaks.clockOffsetMs ?? 0;
    const log =
      (level: string): Log[keyof Log] =>
      (message, extra) => {
        this.logs.push(`${level} ${message} ${JSON.stringify(extra)}`);
      };
    const deps: PollerDeps = {
      store: new ProbedStore(this.store, run, this.ledger, this.writes),
      notifier: new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPICS),
      credentials: async () => USER,
      now: () => new Date(Date.parse(this.sim.clock.now()) + offset),
      log: { info: log('info'), warn: log('warn'), error: log('error') },
    };
    const target: EmTarget = { name: 'em-day', url: tweaks.url ?? this.sim.url };
    const warn = (message: string) => this.logs.push(`em-warn ${message}`);
    const settings = { ...SETTINGS, ...this.day.settings };
    return pollEm(target, deps, { ...POLL_OPTIONS, settings, em: { ...EM_OPTIONS, warn } });
  }

  /** Plays the whole day; `prepare(index)` may arm a fault in that poll. */
  async play(prepare: (index: number) => Prepare | undefined = () => undefined): Promise<this> {
    for (let i = 0; i < this.times.length; i++) await this.poll(i, prepare(i));
    return this;
  }

  /**
   * Everything the world wrote where a secret could leak: logs, errors, SNS messages, EM request records and,
   * once the world is closed, the state table.
   */
  transcript(): string {
    return [
      ...this.logs,
      ...this.errors,
      JSON.stringify(this.published()),
      JSON.stringify(this.sim.requests),
      JSON.stringify(this.stored),
    ].join('\n');
  }

  /** What this world asked SNS to publish, accepted or not: each Publish, and each entry of a PublishBatch. */
  published(): PublishCommandInput[] {
    return publishedTo(sns());
  }

  /** The JSON events accepted on the events topic, in order. */
  events(): AlertEvent[] {
    return this.ledger.deliveries
      .filter((d) => d.channel === 'events')
      .map((d) => this.ledger.events.get(d.id))
      .filter((e): e is AlertEvent => e !== undefined);
  }

  /** The EM's bookkeeping as the poller stored it. */
  async meta(): Promise<ReadState | null> {
    const nowMs = Date.parse(this.sim.clock.now());
    return upgrade((await this.store.load<unknown, StoredReadState>({ em: 'em-day', nowMs })).meta);
  }

  async close(): Promise<void> {
    publishing = undefined;
    await this.sim.close();
    this.stored = await this.dropTable();
  }
}

/** A URL where nothing listens: an EM that refuses connections. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/api/`;
}
