// Probes on the steps of one poll: the process running it (alive until a hook kills it), a state store that
// numbers and hooks every write, and a ledger of what SNS accepted, by (event id, channel), noting whether the
// state had already marked that pair delivered: the only allowed duplicate is one published before its mark.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { AlertEvent } from '../../functions/alerts/index.ts';
import { RENDERERS } from '../../functions/messages/render.ts';
import type {
  DeliveredWrite,
  DeliveryMark,
  EmSnapshot,
  EventRefs,
  EventWrite,
  Lease,
  MetaWrite,
  OutboxEvent,
  StateStore,
  SubjectWrite,
} from '../../functions/state/store.ts';

/** The simulated process died: it stops without another write, publish or release of its lease. */
export class Crash extends Error {
  constructor() {
    super('simulated crash');
    this.name = 'Crash';
  }
}

export type WriteOp =
  | 'tryLease'
  | 'releaseLease'
  | 'recordEvent'
  | 'saveSubject'
  | 'saveMeta'
  | 'markDelivered'
  | 'markAllDelivered';

/** A hook at the n-th step (1-based) of its kind in one poll; throwing fails that step, `run.die()` kills. */
export type Hook = (n: number, run: Run, op?: WriteOp) => Promise<void> | void;

/** What a trial can do around the steps of one poll. */
export interface Hooks {
  beforeWrite?: Hook;
  afterWrite?: Hook;
  beforePublish?: Hook;
  afterPublish?: Hook;
  /** The entries SNS refuses (its `Failed` list), by index, of the n-th publish when it is a batch. */
  refuse?: (n: number) => readonly number[];
}

/** One process running one poll: its hooks, whether it died, and its steps so far (their labels, in order). */
export class Run {
  dead = false;
  /** The store operation of each write. */
  readonly writes: WriteOp[] = [];
  /** The channel of each publish. */
  readonly publishes: string[] = [];
  constructor(readonly hooks: Hooks = {}) {}

  /** Dies now: this and every later step of the process throws. */
  die(): never {
    this.dead = true;
    throw new Crash();
  }

  alive(): void {
    if (this.dead) throw new Crash();
  }
}

export interface Delivery {
  id: string;
  channel: string;
  /** True when the state already said this channel was delivered: a real duplicate, not the crash window. */
  afterMark: boolean;
}

/** What SNS accepted, and which (event, channel) pairs the state marked delivered. */
export class Ledger {
  readonly deliveries: Delivery[] = [];
  private readonly marked = new Set<string>();
  /** `${channel}\n${message}` → event id, learnt from the outbox the poller reads before publishing. */
  private readonly rendered = new Map<string, string>();

  /** Every event seen in the outbox, by id. */
  readonly events = new Map<string, AlertEvent>();
  private readonly channelOf: Map<string, string>;

  /** `topics`: channel → topic ARN, as the notifier publishes to them; `timeZone` as the poller renders. */
  constructor(
    topics: Record<string, string> = {},
    private readonly timeZone = 'UTC',
  ) {
    this.channelOf = new Map(Object.entries(topics).map(([channel, arn]) => [arn, channel]));
  }

  /** The events pending at the poller's last listing, and on which channels: what a group can be made of. */
  private pending: OutboxEvent<AlertEvent>[] = [];

  learn(items: OutboxEvent<AlertEvent>[]): void {
    this.pending = items;
    for (const item of items) {
      this.events.set(item.id, item.event);
      for (const [channel, render] of Object.entries(RENDERERS))
        this.rendered.set(`${channel}\n${render(item.event, { timeZone: this.timeZone }).message}`, item.id);
    }
  }

  /** The channel a topic ARN belongs to. */
  channel(topicArn: string | undefined): string {
    return this.channelOf.get(topicArn ?? '') ?? '?';
  }

  accept(input: PublishCommandInput): void {
    const channel = this.channel(input.TopicArn);
    const ids = this.carried(channel, input);
    if (!ids.length) throw new Error(`A publication to ${channel} that no pending event renders to`);
    for (const id of ids)
      this.deliveries.push({ id, channel, afterMark: this.marked.has(`${id}\n${channel}`) });
  }

  /**
   * The events a publication carries: the one it renders exactly, an event of a storm (rendered with its group id),
   * or the members of a grouped message: the events pending on its channel that its attributes name (kind, alert
   * severity, EM and job names; messages/group.ts gives a group exactly these).
   */
  private carried(channel: string, input: PublishCommandInput): string[] {
    const single = this.rendered.get(`${channel}\n${input.Message}`);
    if (single) return [single];
    if (channel === 'events') {
      const { id, group } = JSON.parse(input.Message ?? '{}') as { id?: string; group?: string };
      const event = this.events.get(id ?? '');
      const again = event && RENDERERS.events(event, { timeZone: this.timeZone, group }).message;
      return group && again === input.Message && id ? [id] : [];
    }
    const values = (name: string): string[] => {
      const attribute = input.MessageAttributes?.[name];
      const value = attribute?.StringValue ?? '';
      return attribute?.DataType === 'String.Array' ? (JSON.parse(value) as string[]) : [value];
    };
    const [kind, severity, em] = ['event', 'alertSeverity', 'enterpriseManager'].map(
      (name) => values(name)[0],
    );
    const jobs = new Set(values('job'));
    return this.pending
      .filter(({ event, pendingChannels }) => pendingChannels.includes(channel) && event.event === kind)
      .filter(({ event }) => event.alertSeverity === severity && event.subject.enterpriseManager === em)
      .filter(({ event }) => jobs.has(event.subject.name))
      .map((item) => item.id);
  }

  mark(id: string, channel: string): void {
    this.marked.add(`${id}\n${channel}`);
  }
}

/**
 * The DynamoDB writes that took effect, per store operation however many run at once: the client's middleware
 * calls `took` in the async context of the operation that sent the write.
 */
export class WriteCounter {
  private readonly scope = new AsyncLocalStorage<{ taken: number }>();

  took(): void {
    const operation = this.scope.getStore();
    if (operation) operation.taken++;
  }

  async count<T>(perform: () => Promise<T>): Promise<{ result: T; taken: number }> {
    const operation = { taken: 0 };
    const result = await this.scope.run(operation, perform);
    return { result, taken: operation.taken };
  }
}

/**
 * The store as one process sees it: every write numbered and hooked, nothing at all once it died. Steps are
 * numbered per store operation, so each must make at most one DynamoDB write that takes effect (`writes` counts
 * them): otherwise a crash between two of them would go untried, and the operation fails loudly.
 */
export class ProbedStore implements StateStore {
  constructor(
    private readonly inner: StateStore,
    private readonly run: Run,
    private readonly ledger: Ledger,
    private readonly writes: WriteCounter,
  ) {}

  private async write<T>(op: WriteOp, perform: () => Promise<T>): Promise<T> {
    this.run.alive();
    const n = this.run.writes.push(op);
    await this.run.hooks.beforeWrite?.(n, this.run, op);
    this.run.alive(); // a hook may have let another poll run, or killed this one
    const { result, taken } = await this.writes.count(perform);
    if (taken > 1) {
      throw new Error(
        `${op} made ${taken} DynamoDB writes: a crash between them is a step the matrix does not try. ` +
          'Make it one write, or number the steps per DynamoDB write.',
      );
    }
    await this.run.hooks.afterWrite?.(n, this.run, op);
    return result;
  }

  private read<T>(perform: () => Promise<T>): Promise<T> {
    this.run.alive();
    return perform();
  }

  tryLease(lease: Lease) {
    return this.write('tryLease', () => this.inner.tryLease(lease));
  }
  releaseLease(lease: Pick<Lease, 'scope' | 'holder'>) {
    return this.write('releaseLease', () => this.inner.releaseLease(lease));
  }
  load<T, M>(request: { em: string; nowMs: number }): Promise<EmSnapshot<T, M>> {
    return this.read(() => this.inner.load<T, M>(request));
  }
  saveSubject<T>(write: SubjectWrite<T>) {
    return this.write('saveSubject', () => this.inner.saveSubject(write));
  }
  saveMeta<M>(write: MetaWrite<M>) {
    return this.write('saveMeta', () => this.inner.saveMeta(write));
  }
  recordEvent<E>(write: EventWrite<E>) {
    return this.write('recordEvent', () => this.inner.recordEvent(write));
  }
  async pendingEvents<E>(request: { em: string }): Promise<OutboxEvent<E>[]> {
    const items = await this.read(() => this.inner.pendingEvents<E>(request));
    this.ledger.learn(items as OutboxEvent<unknown>[] as OutboxEvent<AlertEvent>[]);
    return items;
  }
  pendingChannelsOf(events: EventRefs): Promise<Map<string, string[]>> {
    return this.read(() => this.inner.pendingChannelsOf(events));
  }
  markDelivered(mark: DeliveryMark) {
    return this.write('markDelivered', async () => {
      await this.inner.markDelivered(mark);
      this.ledger.mark(mark.id, mark.channel);
    });
  }
  markAllDelivered<E>(write: DeliveredWrite<E>) {
    return this.write('markAllDelivered', async () => {
      await this.inner.markAllDelivered(write);
      for (const { id, pendingChannels } of write.events)
        for (const channel of pendingChannels) this.ledger.mark(id, channel);
    });
  }
}
