// SNS limits every rendering must respect.

import type { Rendered } from './render.ts';
import { utf8Bytes } from './text.ts';

/** Publish size limit: the body plus every attribute's name, type and value. */
export const SNS_MAX_BYTES = 262_144;
/** What a body may use, leaving room for the attributes (each at most ATTRIBUTE_MAX_CHARS). */
export const BODY_BUDGET_BYTES = 240_000;
/** E-mail `Subject`: fewer than 100 characters. */
export const SUBJECT_MAX_CHARS = 99;
/** One SMS segment of 7-bit characters, counted as bytes as SNS does. */
export const SMS_MAX_BYTES = 140;
export const ATTRIBUTE_MAX_CHARS = 256;

/** Bytes SNS counts for a publish: the message and each attribute's name, type (`String`) and value. */
export function publishBytes(rendered: Rendered): number {
  let bytes = utf8Bytes(rendered.message);
  for (const [name, value] of Object.entries(rendered.attributes))
    bytes += utf8Bytes(name) + 6 + utf8Bytes(value);
  return bytes;
}
