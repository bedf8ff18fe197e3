// Step 4 of a poll (docs/state.md, "The order of a poll's writes"): every pending event to every pending channel,
// each publish followed by its mark. Events go in slices of at most MARK_BATCH: a slice's pending channels are read
// afresh in one request, its publishes go out together (channels and events in parallel, the events channel in
// batches), then its marks in one write. The events of one subject go in rounds, one round after the other, so that
// each channel gets them in the order they were decided. In a storm (more than `groupAbove` events for the EM) the
// people channels get one message per group (messages/group.ts) before its members' slices, which mark it; the
// events channel still gets each event alone, naming its group. A channel that fails is skipped for the rest of the
// poll and retried at the next.

import type { AlertEvent } from '../alerts/index.ts';
import type { Settings } from '../alerts/settings.ts';
import { DAY } from '../duration.ts';
import { type AlertGroup, groupAlerts } from '../messages/group.ts';
import { GROUP_RENDERERS, RENDERERS } from '../messages/render.ts';
import { type Channel, isChannel, type PeopleChannel, type Rendered } from '../messages/types.ts';
import { inBatches, type Notifier, type Publication, type Refusal } from '../notify/notifier.ts';
import { forEachLimit } from '../parallel.ts';
import { MARK_BATCH, type OutboxEvent, type StateStore } from '../state/store.ts';

/** Delivered events are kept this long: long enough for any re-decision of the same event to find them. */
const KEEP_DELIVERED_MS = 14 * DAY;

type LogLine = (message: string, extra: Record<string, unknown>) => void;

export interface DeliveryRequest {
  em: string;
  store: StateStore;
  notifier: Notifier;
  now(): Date;
  log: { warn: LogLine; error: LogLine };
  settings: Pick<Settings, 'timeZone' | 'groupAbove'> & Partial<Pick<Settings, 'hints'>>;
  /** True when no more publishing should start. */
  stop(): boolean;
}

export interface DeliveryCounts {
  /** Messages SNS accepted (a group's message counts once, each entry of a batch once). */
  published: number;
  /** Messages SNS did not accept. */
  publishFailures: number;
  /** Events with channels still pending after this poll (delivered by a later one). */
  pending: number;
}

type Item = OutboxEvent<AlertEvent>;

/** What this poll did for one event. */
interface Progress {
  /** The group it is a member of in this poll, if any. */
  group?: string;
  /** Channels delivered: published (alone, in a batch or in its group's message), or dropped. */
  delivered: Set<string>;
  /** How many channels are left pending: as listed, until its slice marked what was delivered. */
  left: number;
}

/** What one publication carries: the events it delivers, and its rendering. */
interface Part {
  items: Item[];
  render(): Rendered;
}

/** Sends publications of one channel; resolves with those SNS refused. */
type Send = (publications: Publication[]) => Promise<Refusal[]>;

export async function deliver(request: DeliveryRequest): Promise<DeliveryCounts> {
  const items = await request.store.pendingEvents<AlertEvent>({ em: request.em });
  const { groupAbove } = request.settings;
  // A storm is judged on everything pending; within it, any two events of a round that share a kind make a group.
  const grouping = groupAbove > 0 && items.length > groupAbove ? 1 : 0;
  const run = new Delivery(request, items);
  for (const round of rounds(items)) await run.round(round, grouping);
  return run.counts();
}

/** The events by round: each subject's first pending event, then its second..., each round in listing order. */
function rounds(items: readonly Item[]): Item[][] {
  const seen = new Map<string, number>();
  const out: Item[][] = [];
  for (const item of items) {
    const subject = `${item.event.subject.kind} ${item.event.subject.uid}`;
    const round = seen.get(subject) ?? 0;
    seen.set(subject, round + 1);
    if (round === out.length) out.push([]);
    out[round]?.push(item);
  }
  return out;
}

class Delivery {
  private readonly failed = new Set<string>();
  private published = 0;
  private publishFailures = 0;
  private readonly progress: Map<string, Progress>;

  constructor(
    private readonly request: DeliveryRequest,
    items: readonly Item[],
  ) {
    this.progress = new Map(
      items.map((item) => [item.id, { delivered: new Set<string>(), left: item.pendingChannels.length }]),
    );
  }

  /** One round: its groups' messages, then its events slice by slice. */
  async round(items: Item[], groupAbove: number): Promise<void> {
    const byId = new Map(items.map((item) => [item.id, item]));
    const groups = groupAlerts(
      items.map((item) => item.event),
      groupAbove,
    ).groups.map((group) => ({ group, items: group.events.map((event) => byId.get(event.id) as Item) }));
    for (const { group, items: members } of groups)
      for (const item of members) this.of(item).group = group.id;
    await this.groupMessages(groups);
    for (let start = 0; start < items.length; start += MARK_BATCH)
      await this.slice(items.slice(start, start + MARK_BATCH));
  }

  counts(): DeliveryCounts {
    const pending = [...this.progress.values()].filter((progress) => progress.left > 0).length;
    return { published: this.published, publishFailures: this.publishFailures, pending };
  }

  /** Each group's message on each people channel, to its members still pending there; their slices mark it. */
  private async groupMessages(groups: { group: AlertGroup; items: Item[] }[]): Promise<void> {
    if (!groups.length || this.request.stop()) return;
    const fresh = await this.fresh(groups.flatMap((group) => group.items));
    const options = this.renderOptions();
    const messages = this.request.notifier.channels.filter(isPeople).flatMap((channel) =>
      groups.map(({ group, items }) => {
        const members = items.filter((item) => fresh.get(item.id)?.includes(channel));
        const events = members.map((item) => item.event);
        // A member left alone on this channel is sent alone.
        const render = () =>
          events.length === 1
            ? RENDERERS[channel](events[0] as AlertEvent, options)
            : GROUP_RENDERERS[channel]({ ...group, events }, options);
        return { channel, part: { items: members, render } };
      }),
    );
    await forEachLimit(
      messages.filter(({ part }) => part.items.length),
      ({ channel, part }) => this.publish(channel, [part]),
    );
  }

  /** Events of distinct subjects: read afresh, published on every pending channel together, then marked. */
  private async slice(items: Item[]): Promise<void> {
    // Once publishing stopped, only what a group's message delivered is left to mark.
    if (this.request.stop() && items.every((item) => !this.of(item).delivered.size)) return;
    // Read afresh: a poll that took over after this one outlived its lease (stalled in publishing, say) may have
    // delivered some since this one listed them. Read before each slice, the list can only repeat what is published
    // and not yet marked, the documented window. Found by test/faults (poll-outlives-lease).
    const fresh = await this.fresh(items);
    const sends: (() => Promise<void>)[] = [];
    for (const channel of this.channelsOf(items)) {
      const due = items.filter((item) => fresh.get(item.id)?.includes(channel));
      if (!this.configured(channel)) this.drop(due, channel);
      else if (channel === 'events') sends.push(...this.eventsSends(due));
      // On a people channel, a group's members are its message's.
      else
        for (const item of due.filter((i) => this.of(i).group === undefined)) {
          const render = () => RENDERERS[channel](item.event, this.renderOptions());
          sends.push(() => this.publish(channel, [{ items: [item], render }]));
        }
    }
    await forEachLimit(sends, (send) => send());
    await this.mark(items, fresh);
  }

  /** What every renderer is given: the time zone of the times it shows, and the local hints. */
  private renderOptions() {
    const { timeZone, hints } = this.request.settings;
    return { timeZone, hints };
  }

  /** The events channel: each event alone, naming its group; several in one batch where the notifier takes them. */
  private eventsSends(items: Item[]): (() => Promise<void>)[] {
    const parts = items.map((item): Part => {
      const rendered = RENDERERS.events(item.event, { ...this.renderOptions(), group: this.of(item).group });
      return { items: [item], render: () => rendered };
    });
    const { notifier } = this.request;
    const publishBatch = notifier.publishBatch?.bind(notifier);
    if (!publishBatch) return parts.map((part) => () => this.publish('events', [part]));
    return inBatches(parts, (part) => ({ channel: 'events', ...part.render() })).map(
      (batch) => () => this.publish('events', batch, batch.length > 1 ? publishBatch : undefined),
    );
  }

  /** Configured channels in the notifier's order, any others (no longer configured) last. */
  private channelsOf(items: Item[]): string[] {
    const order = (channel: string) =>
      (isChannel(channel) ? this.request.notifier.channels.indexOf(channel) : -1) >>> 0;
    return [...new Set(items.flatMap((item) => item.pendingChannels))].sort((a, b) => order(a) - order(b));
  }

  private configured(channel: string): channel is Channel {
    return isChannel(channel) && this.request.notifier.channels.includes(channel);
  }

  private of(item: Item): Progress {
    return this.progress.get(item.id) as Progress;
  }

  private fresh(items: Item[]): Promise<Map<string, string[]>> {
    return this.request.store.pendingChannelsOf({ em: this.request.em, ids: items.map((item) => item.id) });
  }

  /** Pending for a channel no longer configured: delivered without publishing. */
  private drop(items: Item[], channel: string): void {
    for (const item of items) {
      this.request.log.warn('An event was pending for a channel that is no longer configured; dropped.', {
        em: this.request.em,
        channel,
      });
      this.of(item).delivered.add(channel);
    }
  }

  /** One publication, or a batch of them; each one SNS accepted delivers its events on the channel. */
  private async publish(channel: Channel, parts: Part[], send: Send = this.alone): Promise<void> {
    if (this.failed.has(channel) || this.request.stop()) return;
    const publications = parts.map((part) => ({ channel, ...part.render() }));
    const refused = await send(publications).catch((error: unknown) =>
      publications.map((_, index): Refusal => ({ index, reason: (error as Error).message })),
    );
    if (refused.length) {
      this.failed.add(channel);
      this.publishFailures += refused.length;
      this.request.log.error('Publishing failed; retried at the next poll.', {
        em: this.request.em,
        channel,
        reason: refused[0]?.reason,
        messages: refused.length,
      });
    }
    this.published += parts.length - refused.length;
    const refusedAt = new Set(refused.map((refusal) => refusal.index));
    for (const [index, part] of parts.entries())
      if (!refusedAt.has(index)) for (const item of part.items) this.of(item).delivered.add(channel);
  }

  /** One publication alone: accepted, or the error says why not. */
  private readonly alone: Send = async ([publication]) => {
    await this.request.notifier.publish(publication as Publication);
    return [];
  };

  /**
   * A slice's marks: the events left with no channel pending in one write, any other channel delivered one by one
   * (an event some of whose channels failed; rare).
   */
  private async mark(items: Item[], fresh: Map<string, string[]>): Promise<void> {
    const whole: Item[] = [];
    const some: [Item, string][] = [];
    for (const item of items) {
      const progress = this.of(item);
      const pending = fresh.get(item.id) ?? [];
      const done = pending.filter((channel) => progress.delivered.has(channel));
      progress.left = pending.length - done.length;
      if (!progress.left && done.length) whole.push(item);
      else some.push(...done.map((channel): [Item, string] => [item, channel]));
    }
    const { em, store } = this.request;
    const nowMs = this.request.now().getTime();
    const keepMs = KEEP_DELIVERED_MS;
    const writes = [
      ...(whole.length ? [() => store.markAllDelivered({ em, events: whole, nowMs, keepMs })] : []),
      ...some.map(
        ([{ id }, channel]) =>
          () =>
            store.markDelivered({ em, id, channel, nowMs, keepMs }),
      ),
    ];
    await forEachLimit(writes, (write) => write());
  }
}

const isPeople = (channel: string): channel is PeopleChannel => isChannel(channel) && channel !== 'events';
