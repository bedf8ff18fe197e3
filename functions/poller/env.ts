// The Lambda's configuration, read from environment variables once at cold start (the CDK stack sets them: see
// infra/poller/environment.ts) and checked with every problem reported at once. Nothing here is secret: EM
// credentials stay in Secrets Manager and only their ARNs are configured.
//
// A variable's own problem reads as a sentence about it (`TABLE_NAME is not set: ...`); a problem inside a JSON
// variable names its path, as the settings file does (`ENTERPRISE_MANAGERS[0].url: ...`).

import * as z from 'zod';
import { type Settings, type SettingsResult, validateSettings } from '../alerts/index.ts';
import { apiBase } from '../em/config.ts';
import { CHANNELS, type Channel } from '../messages/types.ts';
import { noRepeats, type Problem, pathText, problemsOf, text } from '../problems.ts';
import { EM_NAME, EM_NAME_RULE, SECRET_ARN } from '../rules.ts';

export const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const NO_TABLE = 'is not set: it must name the DynamoDB state table.';
const EMS_FIX = 'must be a non-empty JSON array of {name, url, secretArn, caCert?}.';

const emTarget = z
  .object(
    {
      name: text(EM_NAME, `give ${EM_NAME_RULE}.`),
      url: z.string({ error: 'give the EM URL, e.g. https://em.example.com:9398/api/.' }),
      secretArn: text(SECRET_ARN, 'give a Secrets Manager secret ARN.'),
      caCert: z
        .string({ error: 'give a PEM certificate bundle.' })
        .includes('-----BEGIN CERTIFICATE-----', { error: 'give a PEM certificate bundle.' })
        .optional(),
    },
    { error: 'give an object {name, url, secretArn, caCert?}.' },
  )
  // The client's own rule, so that what is accepted here also polls. Checked whatever else is wrong with the entry:
  // its message names the EM, by whatever name it was given.
  .superRefine(
    (em, ctx) => {
      if (typeof em?.url !== 'string') return;
      try {
        apiBase(String(em.name), em.url);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['url'], message: (error as Error).message });
      }
    },
    { when: () => true },
  );

/** An EM to poll: in the Lambda with its credentials' secret; the CLI takes the credentials from its environment. */
export type EmTarget = Omit<z.output<typeof emTarget>, 'secretArn'> & { secretArn?: string | undefined };

/** JSON in a variable, then checked with `schema`. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string({ error: 'is not set.' })
    .min(1)
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `is not valid JSON (${(error as Error).message.slice(0, 80)}).`,
        });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

type TopicVariable = `TOPIC_${Uppercase<Channel>}_ARN`;
const topicVariable = (channel: Channel) => `TOPIC_${channel.toUpperCase()}_ARN` as TopicVariable;
/** Unset or empty: no topic for that channel. */
const topicArn = z
  .string()
  .refine(
    (arn) => arn === '' || TOPIC_ARN.test(arn),
    'is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>).',
  )
  .optional();
const topics = Object.fromEntries(CHANNELS.map((channel) => [topicVariable(channel), topicArn])) as Record<
  TopicVariable,
  typeof topicArn
>;

const environment = z
  .object({
    TABLE_NAME: z.string({ error: NO_TABLE }).min(1),
    ENTERPRISE_MANAGERS: json(
      z
        .array(emTarget, { error: EMS_FIX })
        .min(1, EMS_FIX)
        .superRefine(
          noRepeats(
            (em) => em.name,
            (name) => `has "${name}" twice.`,
          ),
        ),
    ),
    ...topics,
  })
  .refine((env) => CHANNELS.some((channel) => env[topicVariable(channel)]), {
    error: 'No TOPIC_<CHANNEL>_ARN is set: alerts would go nowhere.',
    when: () => true,
  });

export interface LambdaConfig {
  table: string;
  topics: Partial<Record<Channel, string>>;
  ems: EmTarget[];
  /** The alerting settings, checked by the alert engine's settings schema. */
  settings: Settings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

export function readLambdaConfig(env: Record<string, string | undefined>): LambdaConfig {
  const variables = environment.safeParse(env);
  // Checked with the rest, so that one deploy shows every problem at once.
  const settings = readSettings(env.SETTINGS);
  const problems = [
    ...(variables.success ? [] : problemsOf(variables.error).map(environmentProblem)),
    ...(settings.ok ? [] : settings.errors),
  ];
  if (!variables.success || !settings.ok) throw new ConfigError(problems);
  const topics: Partial<Record<Channel, string>> = {};
  for (const channel of CHANNELS) {
    const arn = variables.data[topicVariable(channel)];
    if (arn) topics[channel] = arn;
  }
  return {
    table: variables.data.TABLE_NAME,
    topics,
    ems: variables.data.ENTERPRISE_MANAGERS,
    settings: settings.settings,
  };
}

/** SETTINGS holds the alert engine's settings: their problems read as the engine words them everywhere. */
function readSettings(value: string | undefined): SettingsResult {
  const given = json(z.unknown())
    .optional()
    .safeParse(value || undefined); // unset or empty: the defaults
  if (!given.success)
    return { ok: false, errors: given.error.issues.map((issue) => `SETTINGS ${issue.message}`) };
  const checked = validateSettings(given.data);
  return checked.ok ? checked : { ok: false, errors: checked.errors.map((error) => `SETTINGS: ${error}`) };
}

function environmentProblem({ path, message }: Problem): string {
  if (path.length === 0) return message;
  return path.length === 1 ? `${String(path[0])} ${message}` : `${pathText(path)}: ${message}`;
}
