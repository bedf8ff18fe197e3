// The settings' types, inferred from their schemas: the constructs and the poller's environment import them from
// here, type-only, without loading the checks (nothing here imports back, so no import cycle runs through it).

export type { EmSettings } from './enterprise-managers.ts';
export type { EventBusSettings, PagerDutySettings } from './incidents.ts';
export type { NetworkSettings } from './network.ts';
export type { StackSettings } from './schema.ts';
export type {
  FilterPolicy,
  SlackChannel,
  Subscription,
  SubscriptionSettings,
  TeamsChannel,
} from './subscriptions.ts';

export type Json = Record<string, unknown>;
