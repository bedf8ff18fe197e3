// Every size limit of the renderings, named by purpose. SNS's limits come first; the rest keep each channel
// readable (text is already at most EVENT_TEXT_CHARS per field in the event, see alerts/event.ts).

import { MAX_EVENT_VMS } from '../alerts/event.ts';
import { line, utf8Bytes } from './text.ts';
import { attributeString, attributeType, type Rendered } from './types.ts';

/** Publish size limit: the body plus every attribute's name, type and value. */
export const SNS_MAX_BYTES = 262_144;
/** What a body may use, leaving room for the attributes (each at most ATTRIBUTE_MAX_CHARS). */
export const BODY_BUDGET_BYTES = 240_000;
/** E-mail `Subject`: fewer than 100 characters. */
export const SUBJECT_MAX_CHARS = 99;
/** One SMS segment of 7-bit characters, counted as bytes as SNS does. */
export const SMS_MAX_BYTES = 140;
export const ATTRIBUTE_MAX_CHARS = 256;
/** An attribute's value as every message carries it: one line, cut (a grouped message's names, each of them). */
export const attributeText = (value: string): string => line(value, ATTRIBUTE_MAX_CHARS);
/**
 * A grouped message's `job` and `backupServer` attributes (String.Array, JSON): at most this many bytes, so body
 * and attributes stay under SNS's limit; a group with more names is sent as several messages.
 */
export const GROUP_ATTRIBUTE_BYTES = 16_384;

/** E-mail: a name (job, server, session, VM) on one line, a reason or message, VMs listed. */
export const EMAIL_NAME_CHARS = 300;
export const EMAIL_TEXT_CHARS = 2000;
/** E-mail lists every VM the event carries (up to MAX_EVENT_VMS), within its body budget. */
export const EMAIL_MAX_VMS = MAX_EVENT_VMS;
/** Chat: a name, a reason or message, VMs listed (a chat post should fit a screen). */
export const CHAT_NAME_CHARS = 120;
export const CHAT_TEXT_CHARS = 300;
export const CHAT_MAX_VMS = 10;
/** Grouped messages: a member's reason on one line (e-mail), members listed in chat (the rest counted). */
export const GROUP_REASON_CHARS = 300;
export const CHAT_MAX_MEMBERS = 10;
/** `events`: the longest text field, tried in turn (JSON escapes can make one character cost 12 bytes). */
export const EVENTS_FIELD_CHARS = [4000, 1000, 250] as const;

/** Bytes SNS counts for a publish: the message and each attribute's name, type and value (an array as JSON). */
export function publishBytes(rendered: Rendered): number {
  let bytes = utf8Bytes(rendered.message);
  for (const [name, value] of Object.entries(rendered.attributes))
    bytes += utf8Bytes(name) + utf8Bytes(attributeType(value)) + utf8Bytes(attributeString(value));
  return bytes;
}
