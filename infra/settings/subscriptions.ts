// Who receives alerts: SNS subscriptions per channel topic, and chat channels through AWS Chatbot. Each
// subscription is an endpoint, optionally with an SNS attribute filter policy (the attributes every publish
// carries: event, severity, alertSeverity, subjectKind, enterpriseManager, job, backupServer).

import { type Fields, isObject, repeats, Setting, type Shape, type StringRule } from './read.ts';
import type {
  FilterPolicy,
  SlackChannel,
  Subscription,
  SubscriptionSettings,
  TeamsChannel,
} from './types.ts';

/** How an endpoint is checked; `credentials`: the URL may carry none, and this says what to do instead. */
interface EndpointRule extends StringRule {
  credentials?: string;
}

const ENDPOINTS: Record<'email' | 'sms' | 'webhooks' | 'queues' | 'functions', EndpointRule> = {
  email: { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, fix: 'give an e-mail address, e.g. "ops@example.com".' },
  sms: { pattern: /^\+[1-9]\d{6,14}$/, fix: 'give a phone number in E.164 form, e.g. "+15555550123".' },
  webhooks: {
    pattern: /^https:\/\/[^\s]+$/,
    fix: 'give an https:// URL, e.g. "https://hooks.example.com/veeam".',
    credentials:
      'it would land in the CloudFormation template. Have the endpoint verify the SNS message signature ' +
      'instead, or subscribe it outside the stack (deploy guide, "Confirm subscribers").',
  },
  queues: {
    pattern: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/,
    fix: 'give an SQS queue ARN, e.g. "arn:aws:sqs:eu-west-1:123456789012:replica-events".',
  },
  functions: {
    pattern: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/,
    fix: 'give a Lambda function ARN, e.g. "arn:aws:lambda:eu-west-1:123456789012:function:on-replica-event".',
  },
};

const SUBSCRIPTIONS: Shape = {
  known: [...Object.keys(ENDPOINTS), 'slack', 'teams'],
  example: '{"email": ["ops@example.com"]}',
};
const SUBSCRIPTION: Shape = {
  known: ['endpoint', 'filterPolicy'],
  example: '{"endpoint": "...", "filterPolicy": {"alertSeverity": ["Failed"]}}',
};
/** SNS limits a filter policy to 5 attribute names. */
const MAX_FILTER_KEYS = 5;
const FILTER_POLICY_FIX =
  `give an object of up to ${MAX_FILTER_KEYS} attribute names, each with a non-empty list of accepted ` +
  'values, e.g. {"alertSeverity": ["Failed"]}.';

const SLACK: Shape = {
  known: ['workspaceId', 'channelId'],
  example: '{"workspaceId": "T0123ABCD", "channelId": "C0123ABCD"}',
};
const SLACK_ID = /^[A-Z0-9]{9,21}$/;
const SLACK_WORKSPACE: StringRule = {
  pattern: SLACK_ID,
  fix: 'give the Slack workspace (team) ID, e.g. "T0123ABCD" (AWS Chatbot console, after authorising the workspace).',
};
const SLACK_CHANNEL: StringRule = {
  pattern: SLACK_ID,
  fix: 'give the Slack channel ID, e.g. "C0123ABCD" (channel details in Slack).',
};

const TEAMS: Shape = {
  known: ['tenantId', 'teamId', 'channelId'],
  example: '{"tenantId": "<guid>", "teamId": "<guid>", "channelId": "19:...@thread.tacv2"}',
};
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TEAMS_TENANT: StringRule = { pattern: GUID, fix: 'give the Microsoft Teams tenant ID (a GUID).' };
const TEAMS_TEAM: StringRule = { pattern: GUID, fix: 'give the Microsoft Teams team ID (a GUID).' };
/** As in the channel link: URL-encoded (`19%3a...%40thread.tacv2`); a decoded `19:...@thread.tacv2` is encoded. */
const TEAMS_CHANNEL: StringRule = {
  pattern: /^[A-Za-z0-9-_=+/.,]*%3[aA][A-Za-z0-9-_=+/.,]*%40[A-Za-z0-9-_=+/.,]*$/,
  fix: 'give the Teams channel ID from the channel link, e.g. "19%3aabc123%40thread.tacv2".',
};

export function readSubscriptions(settings: Fields): SubscriptionSettings {
  const given = settings.section('subscriptions', SUBSCRIPTIONS);
  const endpoints = (channel: keyof typeof ENDPOINTS) => {
    const entries = given.get(channel);
    const subscriptions = entries.list((entry) => readSubscription(entry, ENDPOINTS[channel]));
    // SNS keeps one subscription per endpoint and topic: a second entry could only conflict with the first.
    for (const endpoint of repeats(subscriptions.map((s) => s.endpoint)))
      entries.problem(`"${endpoint}" is listed twice; keep one entry.`);
    return subscriptions;
  };
  return {
    email: endpoints('email'),
    sms: endpoints('sms'),
    webhooks: endpoints('webhooks'),
    queues: endpoints('queues'),
    functions: endpoints('functions'),
    slack: given.list('slack', readSlack),
    teams: given.list('teams', readTeams),
  };
}

/** `"endpoint"` or `{"endpoint": "...", "filterPolicy": {...}}`. */
function readSubscription(entry: Setting, rule: EndpointRule): Subscription | undefined {
  if (typeof entry.value === 'string') {
    const endpoint = readEndpoint(entry, rule);
    return endpoint ? { endpoint } : undefined;
  }
  const given = entry.object(SUBSCRIPTION);
  if (!given) return undefined;
  const endpoint = readEndpoint(given.get('endpoint'), rule);
  const policy = given.get('filterPolicy');
  if (policy.value === undefined || policy.value === null) {
    return endpoint ? { endpoint, filterPolicy: policy.value } : undefined;
  }
  const filterPolicy = readFilterPolicy(policy);
  return endpoint && filterPolicy ? { endpoint, filterPolicy } : undefined;
}

function readEndpoint(setting: Setting, rule: EndpointRule): string | undefined {
  const endpoint = setting.string(rule);
  if (!endpoint || !rule.credentials) return endpoint;
  return setting.httpsUrl({ fix: rule.fix, credentials: rule.credentials }) && endpoint;
}

function readFilterPolicy(policy: Setting): FilterPolicy | undefined {
  if (!isObject(policy.value)) return policy.problem(FILTER_POLICY_FIX);
  const entries = Object.entries(policy.value);
  if (entries.length === 0 || entries.length > MAX_FILTER_KEYS) return policy.problem(FILTER_POLICY_FIX);
  for (const [name, conditions] of entries) {
    if (!Array.isArray(conditions) || conditions.length === 0)
      return policy.problems.add(`${policy.path}.${name}`, FILTER_POLICY_FIX);
  }
  return policy.value as FilterPolicy;
}

function readSlack(entry: Setting): SlackChannel | undefined {
  const slack = entry.object(SLACK);
  if (!slack) return undefined;
  const workspaceId = slack.string('workspaceId', SLACK_WORKSPACE);
  const channelId = slack.string('channelId', SLACK_CHANNEL);
  return workspaceId && channelId ? { workspaceId, channelId } : undefined;
}

function readTeams(entry: Setting): TeamsChannel | undefined {
  const teams = entry.object(TEAMS);
  if (!teams) return undefined;
  const tenantId = teams.string('tenantId', TEAMS_TENANT);
  const teamId = teams.string('teamId', TEAMS_TEAM);
  const channel = teams.get('channelId');
  const given =
    typeof channel.value === 'string' && channel.value.includes(':')
      ? new Setting(encodeURIComponent(channel.value), channel.path, channel.problems)
      : channel;
  const channelId = given.string(TEAMS_CHANNEL);
  return tenantId && teamId && channelId ? { tenantId, teamId, channelId } : undefined;
}
