// One rendering per channel (one SNS topic per channel, plain String messages).

import type { AlertEvent } from '../alerts/event.ts';
import { renderChat } from './chat.ts';
import { renderEmail } from './email.ts';
import { renderEvents } from './events.ts';
import { renderSms } from './sms.ts';
import type { Channel, Rendered, RenderOptions } from './types.ts';

export const RENDERERS: Record<Channel, (event: AlertEvent, options: RenderOptions) => Rendered> = {
  email: renderEmail,
  sms: renderSms,
  chat: renderChat,
  events: renderEvents,
};
