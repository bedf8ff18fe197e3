// One rendering per channel (one SNS topic per channel, plain String messages).

import type { AlertEvent } from '../alerts/event.ts';
import { renderChat } from './chat.ts';
import { renderEmail } from './email.ts';
import { renderEvents } from './events.ts';
import { renderSms } from './sms.ts';

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

export type Channel = 'email' | 'sms' | 'chat' | 'events';

export const RENDERERS: Record<Channel, (event: AlertEvent, options: RenderOptions) => Rendered> = {
  email: renderEmail,
  sms: renderSms,
  chat: renderChat,
  events: renderEvents,
};
