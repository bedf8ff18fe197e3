// Who receives alerts: SNS subscriptions per channel topic, and chat channels through AWS Chatbot. Each
// subscription is an endpoint, optionally with an SNS attribute filter policy (the attributes every publish
// carries: event, severity, alertSeverity, subjectKind, enterpriseManager, job, backupServer).

import * as z from 'zod';
import { noRepeats, settingsObject, text } from '../../functions/problems.ts';
import { httpsUrl } from './rules.ts';

/** How a channel's endpoints are checked, with an example and what they are. */
interface EndpointRule {
  endpoint: z.ZodString;
  /** An endpoint, quoted as in JSON. */
  example: string;
  description: string;
}

const fixOf = (what: string, example: string) => `give ${what}, e.g. ${example}.`;

function endpointRule(what: string, [pattern, example]: [RegExp, string], description: string): EndpointRule {
  return { endpoint: text(pattern, fixOf(what, example)), example, description };
}

const WEBHOOK = '"https://hooks.example.com/veeam"';
const WEBHOOK_FIX = fixOf('an https:// URL', WEBHOOK);
const WEBHOOK_CREDENTIALS =
  'it would land in the CloudFormation template. Have the endpoint verify the SNS message signature instead, or ' +
  'subscribe it outside the stack (deploy guide, "Confirm subscribers").';

const ENDPOINTS = {
  email: endpointRule(
    'an e-mail address',
    [/^[^\s@]+@[^\s@]+\.[^\s@]+$/, '"ops@example.com"'],
    'E-mail addresses; each confirms its subscription from the mail AWS sends.',
  ),
  sms: endpointRule(
    'a phone number in E.164 form',
    [/^\+[1-9]\d{6,14}$/, '"+15555550123"'],
    'Phone numbers in E.164 form; Failed alerts only, unless a filterPolicy says otherwise.',
  ),
  webhooks: {
    endpoint: z
      .string({ error: WEBHOOK_FIX })
      .regex(/^https:\/\/[^\s]+$/, { error: WEBHOOK_FIX, abort: true })
      .superRefine(httpsUrl({ fix: WEBHOOK_FIX, credentials: WEBHOOK_CREDENTIALS, query: true })),
    example: WEBHOOK,
    description: 'HTTPS endpoints that receive the JSON events.',
  },
  queues: endpointRule(
    'an SQS queue ARN',
    [
      /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/,
      '"arn:aws:sqs:eu-west-1:123456789012:replica-events"',
    ],
    'SQS queue ARNs that receive the JSON events.',
  ),
  functions: endpointRule(
    'a Lambda function ARN',
    [
      /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/,
      '"arn:aws:lambda:eu-west-1:123456789012:function:on-replica-event"',
    ],
    'Lambda function ARNs invoked with the JSON events.',
  ),
} satisfies Record<string, EndpointRule>;

/** SNS limits a filter policy to 5 attribute names. */
const MAX_FILTER_KEYS = 5;
const FILTER_POLICY_FIX =
  `give an object of up to ${MAX_FILTER_KEYS} attribute names, each with a non-empty list of accepted ` +
  'values, e.g. {"alertSeverity": ["Failed"]}.';

const filterPolicy = z
  .record(z.string(), z.array(z.unknown(), { error: FILTER_POLICY_FIX }).min(1, FILTER_POLICY_FIX), {
    error: FILTER_POLICY_FIX,
  })
  .refine((policy) => {
    const names = Object.keys(policy).length;
    return names > 0 && names <= MAX_FILTER_KEYS;
  }, FILTER_POLICY_FIX)
  // `null`: deliver everything (only SMS has a default filter).
  .nullable()
  .optional()
  .meta({
    description:
      'SNS filter policy on the message attributes (event, severity, alertSeverity, subjectKind, enterpriseManager, job, backupServer); null delivers everything.',
  });

export type FilterPolicy = NonNullable<z.output<typeof filterPolicy>>;

/** `"endpoint"` or `{"endpoint": "...", "filterPolicy": {...}}`; no endpoint twice (SNS keeps one per topic). */
function subscriptions({ endpoint, example, description }: EndpointRule) {
  const full = settingsObject(
    { endpoint, filterPolicy },
    'give an object, e.g. {"endpoint": "...", "filterPolicy": {"alertSeverity": ["Failed"]}}.',
  );
  const entry = z.union([endpoint.transform((given): z.output<typeof full> => ({ endpoint: given })), full], {
    error: `give an endpoint, e.g. ${example}, or {"endpoint": ${example}, "filterPolicy": {...}}.`,
  });
  return (
    z
      .array(entry, { error: `give a list (JSON array), e.g. [${example}].` })
      .superRefine(
        noRepeats(
          (subscription) => subscription.endpoint,
          (repeated) => `"${repeated}" is listed twice; keep one entry.`,
        ),
      )
      // A default the entries' transform would not accept back; an empty input list shows in the JSON Schema.
      .prefault([])
      .meta({ description })
  );
}

export type Subscription = z.output<ReturnType<typeof subscriptions>>[number];

const SLACK_ID = /^[A-Z0-9]{9,21}$/;
const existingConfiguration = z
  .boolean({ error: 'give true when the channel already has an AWS Chatbot configuration, or leave it out.' })
  .optional()
  .meta({
    description:
      'The channel already has an AWS Chatbot configuration in this account: the stack creates none (add the chat topic to it; deploy guide).',
  });

const slack = settingsObject(
  {
    workspaceId: text(
      SLACK_ID,
      'give the Slack workspace (team) ID, e.g. "T0123ABCD" (AWS Chatbot console, after authorising the workspace).',
    ),
    channelId: text(SLACK_ID, 'give the Slack channel ID, e.g. "C0123ABCD" (channel details in Slack).'),
    existingConfiguration,
  },
  'give an object, e.g. {"workspaceId": "T0123ABCD", "channelId": "C0123ABCD"}.',
);

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TEAMS_CHANNEL_FIX =
  'give the Teams channel ID from the channel link, e.g. "19%3aabc123%40thread.tacv2".';
/** As in the channel link: URL-encoded (`19%3a...%40thread.tacv2`); a decoded `19:...@thread.tacv2` is encoded. */
const teamsChannelId = z
  .string({ error: TEAMS_CHANNEL_FIX })
  .transform((id) => (id.includes(':') ? encodeURIComponent(id) : id))
  .pipe(text(/^[A-Za-z0-9-_=+/.,]*%3[aA][A-Za-z0-9-_=+/.,]*%40[A-Za-z0-9-_=+/.,]*$/, TEAMS_CHANNEL_FIX))
  .meta({
    description: 'From the channel link: "19%3a...%40thread.tacv2", or decoded "19:...@thread.tacv2".',
  });

const teams = settingsObject(
  {
    tenantId: text(GUID, 'give the Microsoft Teams tenant ID (a GUID).'),
    teamId: text(GUID, 'give the Microsoft Teams team ID (a GUID).'),
    channelId: teamsChannelId,
    existingConfiguration,
  },
  'give an object, e.g. {"tenantId": "<guid>", "teamId": "<guid>", "channelId": "19:...@thread.tacv2"}.',
);

/** Prefaulted, as the subscriptions are: a Teams channel ID transforms. */
const chatChannels = <T extends z.ZodType>(channel: T, description: string) =>
  z.array(channel, { error: 'give a list (JSON array), e.g. [].' }).prefault([]).meta({ description });

export const subscriptionSettings = settingsObject(
  {
    email: subscriptions(ENDPOINTS.email),
    sms: subscriptions(ENDPOINTS.sms),
    webhooks: subscriptions(ENDPOINTS.webhooks),
    queues: subscriptions(ENDPOINTS.queues),
    functions: subscriptions(ENDPOINTS.functions),
    slack: chatChannels(
      slack,
      'Slack channels, through AWS Chatbot (the workspace authorised in its console).',
    ),
    teams: chatChannels(
      teams,
      'Microsoft Teams channels, through AWS Chatbot (the team authorised in its console).',
    ),
  },
  'give an object, e.g. {"email": ["ops@example.com"]}.',
)
  .prefault({})
  .meta({ description: 'Who receives alerts: SNS subscriptions per channel, and chat channels.' });

export type SubscriptionSettings = z.output<typeof subscriptionSettings>;
export type SlackChannel = z.output<typeof slack>;
export type TeamsChannel = z.output<typeof teams>;
