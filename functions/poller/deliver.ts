// Step 4 of a poll (docs/state.md, "The order of a poll's writes"): every pending event to every pending channel,
// each publish followed by its mark. In a storm (more than `groupAbove` events for the EM) the people channels get
// one message per group (messages/group.ts) and every member is marked for it; the events channel still gets each
// event alone, naming its group. A channel that fails is skipped for the rest of the poll and retried at the next.

import type { AlertEvent } from '../alerts/index.ts';
import type { Settings } from '../alerts/settings.ts';
import { DAY } from '../duration.ts';
import { type AlertGroup, groupAlerts } from '../messages/group.ts';
import { GROUP_RENDERERS, RENDERERS } from '../messages/render.ts';
import { type Channel, isChannel, type PeopleChannel, type Rendered } from '../messages/types.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { OutboxEvent, StateStore } from '../state/store.ts';

/** Delivered events are kept this long: long enough for any re-decision of the same event to find them. */
const KEEP_DELIVERED_MS = 14 * DAY;

/** What became of one event on one channel in one poll. */
export type DeliveryOutcome =
  /** SNS accepted it (alone or in its group's message), and it was marked delivered. */
  | 'published'
  /** Marked delivered by another poll since this one listed it: nothing to do. */
  | 'already-delivered'
  /** Pending for a channel no longer configured: marked delivered without publishing. */
  | 'dropped'
  /** SNS refused it: the channel is skipped for the rest of this poll and retried at the next. */
  | 'failed'
  /** Not tried: the channel failed earlier in this poll, or the poll must stop. */
  | 'stopped';

type LogLine = (message: string, extra: Record<string, unknown>) => void;

export interface DeliveryRequest {
  em: string;
  store: StateStore;
  notifier: Notifier;
  now(): Date;
  log: { warn: LogLine; error: LogLine };
  settings: Pick<Settings, 'timeZone' | 'groupAbove'>;
  /** True when no more publishing should start. */
  stop(): boolean;
}

export interface DeliveryCounts {
  /** Messages SNS accepted (a group's message counts once). */
  published: number;
  publishFailures: number;
  /** Events with channels still pending after this poll (delivered by a later one). */
  pending: number;
}

type Item = OutboxEvent<AlertEvent>;
/** What is sent together: one event, or a group whose members share the people channels' messages. */
type Unit = { item: Item } | { group: AlertGroup; items: Item[] };

export async function deliver(request: DeliveryRequest): Promise<DeliveryCounts> {
  const run = new Delivery(request);
  for (const unit of await units(request)) await run.unit(unit);
  return run.counts();
}

/** The pending events as units, in the order of their first event (the order they were decided in). */
async function units({ em, store, settings }: DeliveryRequest): Promise<Unit[]> {
  const items = await store.pendingEvents<AlertEvent>({ em });
  const position = new Map(items.map((item, i) => [item.id, i]));
  const itemOf = new Map(items.map((item) => [item.id, item]));
  const { singles, groups } = groupAlerts(
    items.map((item) => item.event),
    settings.groupAbove,
  );
  const first = (unit: Unit) =>
    'item' in unit
      ? (position.get(unit.item.id) ?? 0)
      : Math.min(...unit.items.map((i) => position.get(i.id) ?? 0));
  return [
    ...singles.map((event): Unit => ({ item: itemOf.get(event.id) as Item })),
    ...groups.map((group): Unit => ({ group, items: group.events.map((e) => itemOf.get(e.id) as Item) })),
  ].sort((a, b) => first(a) - first(b));
}

class Delivery {
  private readonly failed = new Set<string>();
  private published = 0;
  private publishFailures = 0;
  /** Per event: channels still pending after what this poll did. */
  private readonly left = new Map<string, number>();

  constructor(private readonly request: DeliveryRequest) {}

  async unit(unit: Unit): Promise<void> {
    const items = 'item' in unit ? [unit.item] : unit.items;
    for (const item of items) this.left.set(item.id, item.pendingChannels.length);
    for (const channel of this.channelsOf(items)) {
      const pending = items.filter((item) => item.pendingChannels.includes(channel));
      if ('group' in unit && isPeople(channel) && this.configured(channel) && pending.length > 1)
        await this.group(unit.group, pending, channel);
      else
        for (const item of pending) {
          const group = 'group' in unit ? unit.group.id : undefined;
          this.settle(item, channel, await this.one(item, channel, group));
        }
    }
  }

  counts(): DeliveryCounts {
    const pending = [...this.left.values()].filter((n) => n > 0).length;
    return { published: this.published, publishFailures: this.publishFailures, pending };
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

  private settle(
    item: Item,
    channel: string,
    outcome: DeliveryOutcome,
    published = outcome === 'published',
  ): void {
    if (published) this.published++;
    if (outcome === 'failed') {
      this.failed.add(channel);
      this.publishFailures++;
    }
    if (outcome !== 'failed' && outcome !== 'stopped')
      this.left.set(item.id, (this.left.get(item.id) ?? 1) - 1);
  }

  private shouldSkip(channel: string): boolean {
    return this.failed.has(channel) || this.request.stop();
  }

  /** One event to one channel: rendered, published and marked delivered, or why not. */
  private async one(item: Item, channel: string, group?: string): Promise<DeliveryOutcome> {
    if (this.shouldSkip(channel)) return 'stopped';
    if (!this.configured(channel)) {
      this.request.log.warn('An event was pending for a channel that is no longer configured; dropped.', {
        em: this.request.em,
        channel,
      });
      await this.mark(item, channel, false);
      return 'dropped';
    }
    const fresh = await this.fresh(item);
    // Marked delivered since this poll listed it: by a poll that took over after this one outlived its lease
    // (stalled in publishing, say). Read afresh before each publish, the list can only repeat what is published and
    // not yet marked, the documented window. Found by test/faults (poll-outlives-lease).
    if (!fresh.includes(channel)) return 'already-delivered';
    const options = { timeZone: this.request.settings.timeZone, group };
    // Rendered per pending channel: a retried SMS does not re-render the e-mail.
    if (!(await this.publish(channel, () => RENDERERS[channel](item.event, options)))) return 'failed';
    await this.mark(item, channel, fresh.length === 1);
    return 'published';
  }

  /** A group's members still pending on a people channel: one message, then a mark for each. */
  private async group(group: AlertGroup, items: Item[], channel: PeopleChannel): Promise<void> {
    if (this.shouldSkip(channel)) {
      for (const item of items) this.settle(item, channel, 'stopped');
      return;
    }
    const fresh = new Map<Item, string[]>();
    for (const item of items) {
      const channels = await this.fresh(item);
      if (channels.includes(channel)) fresh.set(item, channels);
      else this.settle(item, channel, 'already-delivered');
    }
    const members = [...fresh.keys()];
    if (members.length === 1) {
      const [item] = members as [Item];
      this.settle(item, channel, await this.one(item, channel));
      return;
    }
    if (!members.length) return;
    const events = members.map((item) => item.event);
    const options = { timeZone: this.request.settings.timeZone };
    const ok = await this.publish(channel, () => GROUP_RENDERERS[channel]({ ...group, events }, options));
    for (const [i, item] of members.entries()) {
      if (ok) await this.mark(item, channel, fresh.get(item)?.length === 1);
      // One message, counted once; one failure, counted once.
      this.settle(item, channel, ok ? 'published' : i ? 'stopped' : 'failed', ok && i === 0);
    }
  }

  private async fresh(item: Item): Promise<string[]> {
    return this.request.store.pendingChannels({ em: this.request.em, id: item.id });
  }

  private async publish(channel: Channel, render: () => Rendered): Promise<boolean> {
    try {
      await this.request.notifier.publish({ channel, ...render() });
      return true;
    } catch (error) {
      this.request.log.error('Publishing failed; retried at the next poll.', {
        em: this.request.em,
        channel,
        reason: (error as Error).message,
      });
      return false;
    }
  }

  private async mark(item: Item, channel: string, lastPending: boolean): Promise<void> {
    await this.request.store.markDelivered({
      em: this.request.em,
      id: item.id,
      channel,
      nowMs: this.request.now().getTime(),
      keepMs: KEEP_DELIVERED_MS,
      lastPending,
    });
  }
}

const isPeople = (channel: string): channel is PeopleChannel => isChannel(channel) && channel !== 'events';
