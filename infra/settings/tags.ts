// Tags on every resource of the stack, beside the `project=replica-alerts` tag the stack sets itself. AWS's tag
// rules, checked at synth, so that a deploy never fails on one half-way.

import * as z from 'zod';
import { text } from '../../functions/problems.ts';

/** The tag the stack sets on every resource; settings may not override it. */
const OURS = 'project';
/** AWS allows 50 tags per resource, ours included. */
const MAX_TAGS = 50 - 1;
const CHARACTERS = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
const ALLOWED = 'letters, digits, spaces and _ . : / = + - @';

const key = text(new RegExp(`^${CHARACTERS}{1,128}$`, 'u'), `give a tag key of 1-128 ${ALLOWED}.`)
  .regex(/^(?![aA][wW][sS]:)/, 'keys starting with "aws:" are reserved for AWS; choose another key.')
  .regex(
    new RegExp(`^(?!${OURS}$)`),
    `the stack sets "${OURS}" itself (${OURS}=replica-alerts); choose another key.`,
  );

const value = text(new RegExp(`^${CHARACTERS}{0,256}$`, 'u'), `give a tag value of 0-256 ${ALLOWED}.`);

export const tags = z
  .record(key, value, { error: 'give an object of tag keys to values, e.g. {"cost-center": "IT-42"}.' })
  .refine((given) => Object.keys(given).length <= MAX_TAGS, {
    error: `give at most ${MAX_TAGS} tags: AWS allows 50 per resource, and the stack sets ${OURS}=replica-alerts.`,
  })
  .default(() => ({}))
  .meta({
    description: `Tags on every resource, e.g. {"cost-center": "IT-42"}: keys of 1-128 and values of 0-256 ${ALLOWED}; no key "${OURS}" (the stack sets ${OURS}=replica-alerts) or starting with "aws:"; at most ${MAX_TAGS}.`,
  });
