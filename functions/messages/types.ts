// The vocabulary every renderer and every channel's caller shares; a leaf module, so renderers need not import
// the table that lists them.

export interface Rendered {
  /** E-mail only: the SNS `Subject`. */
  subject?: string;
  message: string;
  attributes: Record<string, string>;
}

export interface RenderOptions {
  /** IANA time zone for human-readable times (validated with the settings). */
  timeZone: string;
}

/** The channels, in delivery order: one SNS topic each. */
export const CHANNELS = ['email', 'sms', 'chat', 'events'] as const;
export type Channel = (typeof CHANNELS)[number];

export const isChannel = (name: string): name is Channel => (CHANNELS as readonly string[]).includes(name);
