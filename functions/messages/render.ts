// One rendering per channel (one SNS topic per channel, plain String messages), and one per people channel for a
// group of alerts sent together (messages/group.ts); the events channel sends each event alone, naming its group.

import type { AlertEvent } from '../alerts/event.ts';
import { renderChat } from './chat.ts';
import { renderEmail } from './email.ts';
import { renderEvents } from './events.ts';
import type { AlertGroup } from './group.ts';
import { renderGroupChat } from './group-chat.ts';
import { renderGroupEmail } from './group-email.ts';
import { renderGroupSms } from './group-sms.ts';
import { renderSms } from './sms.ts';
import type { Channel, PeopleChannel, Rendered, RenderOptions } from './types.ts';

export const RENDERERS: Record<Channel, (event: AlertEvent, options: RenderOptions) => Rendered> = {
  email: renderEmail,
  sms: renderSms,
  chat: renderChat,
  events: renderEvents,
};

export const GROUP_RENDERERS: Record<PeopleChannel, (group: AlertGroup, options: RenderOptions) => Rendered> =
  {
    email: renderGroupEmail,
    sms: renderGroupSms,
    chat: renderGroupChat,
  };
