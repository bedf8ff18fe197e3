// The vocabulary every renderer and every channel's caller shares; a leaf module, so renderers need not import
// the table that lists them.

import type { LocalHint } from '../hints/match.ts';

/** A message attribute: one value (SNS `String`) or several (`String.Array`: a filter matches any of them). */
export type AttributeValue = string | string[];

/** The SNS data type of an attribute's value. */
export const attributeType = (value: AttributeValue): 'String' | 'String.Array' =>
  typeof value === 'string' ? 'String' : 'String.Array';

/** The attribute's `StringValue` as SNS takes it: a String as is, a String.Array as a JSON array. */
export const attributeString = (value: AttributeValue): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

export interface Rendered {
  /** E-mail only: the SNS `Subject`. */
  subject?: string;
  message: string;
  attributes: Record<string, AttributeValue>;
}

export interface RenderOptions {
  /** IANA time zone for human-readable times (validated with the settings). */
  timeZone: string;
  /** Events channel: the id of the group the event was sent in on the people channels (messages/group.ts). */
  group?: string | undefined;
  /** Local hint entries from the settings (`hints`), tried ahead of the built-in catalogue. */
  hints?: readonly LocalHint[] | undefined;
}

/** The channels that get one message per group; the events channel sends each event alone. */
export type PeopleChannel = Exclude<Channel, 'events'>;

/** The channels, in delivery order: one SNS topic each. */
export const CHANNELS = ['email', 'sms', 'chat', 'events'] as const;
export type Channel = (typeof CHANNELS)[number];

export const isChannel = (name: string): name is Channel => (CHANNELS as readonly string[]).includes(name);
