// Where events go beyond SNS: an EventBridge bus, and from it PagerDuty (infra/incidents, docs/incidents.md).

import * as z from 'zod';
import { settingsObject, text } from '../../functions/problems.ts';
import { SECRET_ARN } from '../../functions/rules.ts';

const BUS_FIX =
  "give the name of an existing custom EventBridge bus in the stack's account and region (1-256 letters, digits, " +
  '. - or _), or "default", or leave it out to have the stack create one.';
/** Only partner event buses have a `/` (`aws.partner/...`), and a pipe cannot put events on one. */
const PARTNER_BUS =
  'only partner event buses (aws.partner/...) have a "/" in their name, and replica-alerts cannot put events on ' +
  `one; ${BUS_FIX}`;
const AWS_PREFIX = `names starting with "aws." belong to AWS and its partners' event buses; ${BUS_FIX}`;

export const eventBus = settingsObject(
  {
    busName: z
      .string({ error: BUS_FIX })
      .regex(/^[^/]*$/, { error: PARTNER_BUS, abort: true })
      .regex(/^(?!aws\.)/, { error: AWS_PREFIX, abort: true })
      .regex(/^[A-Za-z0-9._-]{1,256}$/, BUS_FIX)
      .optional()
      .meta({
        description:
          'An existing custom bus (or "default") in the stack\'s account and region, never a partner bus; absent: the stack creates "<stackName>-alerts".',
      }),
  },
  'give an object: {} to have the stack create a bus, or {"busName": "ops-events"} for an existing one.',
).meta({ description: 'Every event also to an EventBridge bus; absent: none (unless pagerDuty needs one).' });

const KEY_FIELD_FIX =
  'give the JSON key of the routing key in the secret, e.g. "routingKey", or leave it out.';
const SEVERITY_FIX =
  'give "Failed" or "Warning" (default "Warning"): the least severe alert that opens an incident.';

export const pagerDuty = settingsObject(
  {
    routingKeySecretArn: text(
      SECRET_ARN,
      'give the ARN of the Secrets Manager secret that holds the PagerDuty routing key ' +
        '(arn:aws:secretsmanager:<region>:<account>:secret:<name>); create it before the deploy.',
    ).meta({ description: "Secrets Manager secret (ARN) holding the PagerDuty integration's routing key." }),
    routingKeyField: z.string({ error: KEY_FIELD_FIX }).min(1).optional().meta({
      description: 'The JSON key of the routing key in that secret; absent: the secret is the plain key.',
    }),
    minSeverity: z
      .enum(['Failed', 'Warning'], { error: SEVERITY_FIX })
      .default('Warning')
      .meta({ description: 'The least severe alert that opens an incident.' }),
  },
  'give an object, e.g. {"routingKeySecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty"}.',
).meta({ description: 'PagerDuty Events API v2 through an EventBridge API destination; absent: none.' });

export type EventBusSettings = z.output<typeof eventBus>;
export type PagerDutySettings = z.output<typeof pagerDuty>;
