// Where events go beyond SNS: an EventBridge bus, and from it PagerDuty (infra/incidents, docs/incidents.md).

import * as z from 'zod';
import { settingsObject, text } from '../../functions/problems.ts';
import { SECRET_ARN } from './rules.ts';

export const eventBus = settingsObject(
  {
    busName: text(
      /^[A-Za-z0-9._\-/]{1,256}$/,
      "give the name of an existing EventBridge bus in the stack's account and region (1-256 letters, digits, " +
        '. - _ or /), or leave it out to have the stack create one.',
    )
      .optional()
      .meta({
        description:
          'An existing bus in the stack\'s account and region; absent: the stack creates "<stackName>-alerts".',
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
