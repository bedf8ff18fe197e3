// The stack's settings file as one schema: its checks, defaults, field descriptions (also the committed JSON
// Schema's, for editors) and, through z.output, its types. The alert engine's own settings schema checks
// `alerting`, so what synthesises is exactly what the Lambda accepts.

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { settingsSchema as alertingSchema, type GivenSettings } from '../../functions/alerts/settings.ts';
import { settingsObject, text } from '../../functions/problems.ts';
import { enterpriseManagers } from './enterprise-managers.ts';
import { eventBus, pagerDuty } from './incidents.ts';
import { network } from './network.ts';
import { subscriptionSettings } from './subscriptions.ts';
import { tags } from './tags.ts';

const RETENTION_DAYS = Object.values(RetentionDays).filter((days) => typeof days === 'number');
/** The heartbeat alarm's period is twice the schedule, and CloudWatch evaluates at most one day. */
const MAX_EVERY_MINUTES = 720;

const schedule = settingsObject(
  {
    everyMinutes: z
      .int({ error: `give a whole number from 1 to ${MAX_EVERY_MINUTES} (default 5).` })
      .min(1)
      .max(MAX_EVERY_MINUTES)
      .default(5)
      .meta({ description: 'Minutes between polls.' }),
    maxEmsPerInvocation: z
      .int({ error: 'give a whole number from 1 to 100 (default 5).' })
      .min(1)
      .max(100)
      .default(5)
      .meta({ description: 'More EMs than this: one scheduled invocation per EM instead of one for all.' }),
  },
  'give an object, e.g. {"everyMinutes": 5}.',
)
  .prefault({})
  .meta({ description: 'When the poller runs.' });

const DIGEST_FIX =
  'give {"at": "HH:MM"}, the local time of the daily digest (default "07:00"), or false for none.';

const digest = z
  .union(
    [
      z.literal(false, { error: DIGEST_FIX }),
      settingsObject(
        {
          at: text(/^([01]\d|2[0-3]):[0-5]\d$/, 'give the local time as HH:MM (24 h), e.g. "07:00".')
            .default('07:00')
            .meta({
              description: 'Local time (HH:MM, 24 h) in alerting.timeZone; daylight saving is followed.',
            }),
        },
        DIGEST_FIX,
      ),
    ],
    { error: DIGEST_FIX },
  )
  .default({ at: '07:00' })
  .meta({
    description:
      'The morning digest: daily, one per EM on every channel (open alerts, silenced, disabled, quiet and healthy jobs); false: none.',
  });

/** `baseDir`: where relative file paths (caCertFile) resolve. */
export function stackSettingsSchema(baseDir: string) {
  return settingsObject(
    {
      stackName: text(
        /^[A-Za-z][A-Za-z0-9-]{0,63}$/,
        'give a CloudFormation stack name: a letter, then up to 63 letters, digits or dashes.',
      )
        .default('ReplicaAlerts')
        .meta({
          description: 'The stack, and the prefix of the names an admin sees (secrets, alarms, chat).',
        }),
      enterpriseManagers: enterpriseManagers(baseDir),
      alerting: alertingSchema.optional().meta({
        description: "The alert engine's settings (docs/settings.md); the Lambda fills the defaults.",
      }),
      schedule,
      digest,
      logRetentionDays: z
        .enum(RetentionDays, {
          error: `give one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')} (default 90).`,
        })
        .default(RetentionDays.THREE_MONTHS)
        .meta({ description: "Days the poller's logs are kept." }),
      network: network.optional(),
      subscriptions: subscriptionSettings,
      stateTableName: text(
        /^[A-Za-z0-9_.-]{3,255}$/,
        'give the name of the table a removed stack kept (its StateTableName output), or leave it out.',
      )
        .optional()
        .meta({
          description:
            'The state table an earlier deployment kept, to continue from its state; absent: a new table.',
        }),
      tags,
      eventBus: eventBus.optional(),
      pagerDuty: pagerDuty.optional(),
      $schema: z
        .string({ error: 'give the path or URL of the JSON Schema, or leave it out.' })
        .optional()
        .meta({ description: 'The JSON Schema of this file, for editors; ignored.' }),
    },
    'give an object, e.g. {"enterpriseManagers": [...]}.',
  ).meta({
    title: 'replica-alerts settings',
    description:
      "Settings of the replica-alerts stack (docs/settings.md). Generated from the stack's schema by `npm run schema`; " +
      'cdk synth checks a few rules this JSON Schema cannot express (no repeated EM names or endpoints, caCertFile ' +
      'readable, caCert or caCertFile, a filter policy of 1-5 attributes, at most 49 tags, a known time zone).',
  });
}

type Parsed = z.output<ReturnType<typeof stackSettingsSchema>>;

/** The settings the stack is built from. `alerting` is passed to the Lambda as given: it fills the defaults. */
export type StackSettings = Omit<Parsed, '$schema' | 'alerting'> & { alerting: GivenSettings };
