// One rendering per channel (one SNS topic per channel, plain String messages), one per people channel for a group
// of alerts sent together (messages/group.ts; the events channel sends each event alone, naming its group), and
// the morning digest on every channel.

import type { AlertEvent } from '../alerts/event.ts';
import { renderChat } from './chat.ts';
import type { Digest } from './digest.ts';
import { renderDigestChat } from './digest-chat.ts';
import { renderDigestEmail } from './digest-email.ts';
import { renderDigestEvents } from './digest-events.ts';
import { renderDigestSms } from './digest-sms.ts';
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

/** The morning digest of one EM (messages/digest.ts), on every channel. */
export const DIGEST_RENDERERS: Record<Channel, (digest: Digest, options: RenderOptions) => Rendered> = {
  email: renderDigestEmail,
  sms: renderDigestSms,
  chat: renderDigestChat,
  events: renderDigestEvents,
};
