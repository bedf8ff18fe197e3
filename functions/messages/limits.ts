// Every size limit of the renderings, named by purpose. SNS's limits come first; the rest keep each channel
// readable (text is already at most EVENT_TEXT_CHARS per field in the event, see alerts/event.ts).

import { MAX_EVENT_VMS } from '../alerts/event.ts';
import { utf8Bytes } from './text.ts';
import type { Rendered } from './types.ts';

/** Publish size limit: the body plus every attribute's name, type and value. */
export const SNS_MAX_BYTES = 262_144;
/** What a body may use, leaving room for the attributes (each at most ATTRIBUTE_MAX_CHARS). */
export const BODY_BUDGET_BYTES = 240_000;
/** E-mail `Subject`: fewer than 100 characters. */
export const SUBJECT_MAX_CHARS = 99;
/** One SMS segment of 7-bit characters, counted as bytes as SNS does. */
export const SMS_MAX_BYTES = 140;
export const ATTRIBUTE_MAX_CHARS = 256;

/** E-mail: a name (job, server, session, VM) on one line, a reason or message, VMs listed. */
export const EMAIL_NAME_CHARS = 300;
export const EMAIL_TEXT_CHARS = 2000;
/** E-mail lists every VM the event carries (up to MAX_EVENT_VMS), within its body budget. */
export const EMAIL_MAX_VMS = MAX_EVENT_VMS;
/** Chat: a name, a reason or message, VMs listed (a chat post should fit a screen). */
export const CHAT_NAME_CHARS = 120;
export const CHAT_TEXT_CHARS = 300;
export const CHAT_MAX_VMS = 10;
/** `events`: the longest text field, tried in turn (JSON escapes can make one character cost 12 bytes). */
export const EVENTS_FIELD_CHARS = [4000, 1000, 250] as const;

/** Bytes SNS counts for a publish: the message and each attribute's name, type (`String`) and value. */
export function publishBytes(rendered: Rendered): number {
  let bytes = utf8Bytes(rendered.message);
  for (const [name, value] of Object.entries(rendered.attributes))
    bytes += utf8Bytes(name) + 6 + utf8Bytes(value);
  return bytes;
}
