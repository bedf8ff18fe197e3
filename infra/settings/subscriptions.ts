// Who receives alerts: SNS subscriptions per channel topic, and chat channels through AWS Chatbot. Each
// subscription is an endpoint, optionally with an SNS attribute filter policy (the attributes every publish
// carries: event, severity, alertSeverity, subjectKind, enterpriseManager, job, backupServer).

import { isObject, type Problems, readHttpsUrl, readList, readObject, readString } from './read.ts';

/** SNS filter policy on message attributes: attribute name to a list of accepted conditions. */
export type FilterPolicy = Record<string, unknown[]>;

export interface Subscription {
  endpoint: string;
  /** `null`: deliver everything (only SMS has a default filter). */
  filterPolicy?: FilterPolicy | null | undefined;
}

export interface SlackChannel {
  workspaceId: string;
  channelId: string;
}

export interface TeamsChannel {
  tenantId: string;
  teamId: string;
  channelId: string;
}

export interface SubscriptionSettings {
  email: Subscription[];
  sms: Subscription[];
  webhooks: Subscription[];
  queues: Subscription[];
  functions: Subscription[];
  slack: SlackChannel[];
  teams: TeamsChannel[];
}

/** How an endpoint is checked; `credentials`: the URL may carry none, and this says what to do instead. */
interface EndpointRule {
  pattern: RegExp;
  fix: string;
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

const SLACK_ID = /^[A-Z0-9]{9,21}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** As in the channel link: URL-encoded (`19%3a...%40thread.tacv2`); a decoded `19:...@thread.tacv2` is encoded. */
const TEAMS_CHANNEL = /^[A-Za-z0-9-_=+/.,]*%3[aA][A-Za-z0-9-_=+/.,]*%40[A-Za-z0-9-_=+/.,]*$/;
/** SNS limits a filter policy to 5 attribute names. */
const MAX_FILTER_KEYS = 5;

export function readSubscriptions(value: unknown, problems: Problems): SubscriptionSettings {
  const path = 'subscriptions';
  const given =
    value === undefined
      ? {}
      : (readObject(
          value,
          path,
          [...Object.keys(ENDPOINTS), 'slack', 'teams'],
          problems,
          '{"email": ["ops@example.com"]}',
        ) ?? {});
  const endpoints = (channel: keyof typeof ENDPOINTS) => {
    const list = readList(given[channel], `${path}.${channel}`, problems, (entry, at) =>
      readSubscription(entry, at, ENDPOINTS[channel], problems),
    );
    // SNS keeps one subscription per endpoint and topic: a second entry could only conflict with the first.
    const seen = new Set<string>();
    for (const { endpoint } of list) {
      if (seen.has(endpoint))
        problems.add(`${path}.${channel}`, `"${endpoint}" is listed twice; keep one entry.`);
      seen.add(endpoint);
    }
    return list;
  };
  return {
    email: endpoints('email'),
    sms: endpoints('sms'),
    webhooks: endpoints('webhooks'),
    queues: endpoints('queues'),
    functions: endpoints('functions'),
    slack: readList(given.slack, `${path}.slack`, problems, (entry, at) => readSlack(entry, at, problems)),
    teams: readList(given.teams, `${path}.teams`, problems, (entry, at) => readTeams(entry, at, problems)),
  };
}

/** `"endpoint"` or `{"endpoint": "...", "filterPolicy": {...}}`. */
function readSubscription(
  value: unknown,
  path: string,
  rule: EndpointRule,
  problems: Problems,
): Subscription | undefined {
  if (typeof value === 'string') {
    const endpoint = readEndpoint(value, path, rule, problems);
    return endpoint ? { endpoint } : undefined;
  }
  const given = readObject(
    value,
    path,
    ['endpoint', 'filterPolicy'],
    problems,
    '{"endpoint": "...", "filterPolicy": {"alertSeverity": ["Failed"]}}',
  );
  if (!given) return undefined;
  const endpoint = readEndpoint(given.endpoint, `${path}.endpoint`, rule, problems);
  if (given.filterPolicy === undefined || given.filterPolicy === null) {
    return endpoint ? { endpoint, filterPolicy: given.filterPolicy } : undefined;
  }
  const filterPolicy = readFilterPolicy(given.filterPolicy, `${path}.filterPolicy`, problems);
  return endpoint && filterPolicy ? { endpoint, filterPolicy } : undefined;
}

function readEndpoint(value: unknown, path: string, rule: EndpointRule, problems: Problems) {
  const endpoint = readString(value, path, rule.pattern, problems, rule.fix);
  if (!endpoint || !rule.credentials) return endpoint;
  return readHttpsUrl(endpoint, path, problems, rule.fix, rule.credentials) && endpoint;
}

function readFilterPolicy(value: unknown, path: string, problems: Problems): FilterPolicy | undefined {
  const fix =
    `give an object of up to ${MAX_FILTER_KEYS} attribute names, each with a non-empty list of accepted ` +
    'values, e.g. {"alertSeverity": ["Failed"]}.';
  if (!isObject(value)) return problems.add(path, fix);
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > MAX_FILTER_KEYS) return problems.add(path, fix);
  for (const [name, conditions] of entries) {
    if (!Array.isArray(conditions) || conditions.length === 0) return problems.add(`${path}.${name}`, fix);
  }
  return value as FilterPolicy;
}

function readSlack(value: unknown, path: string, problems: Problems): SlackChannel | undefined {
  const slack = readObject(
    value,
    path,
    ['workspaceId', 'channelId'],
    problems,
    '{"workspaceId": "T0123ABCD", "channelId": "C0123ABCD"}',
  );
  if (!slack) return undefined;
  const workspaceId = readString(
    slack.workspaceId,
    `${path}.workspaceId`,
    SLACK_ID,
    problems,
    'give the Slack workspace (team) ID, e.g. "T0123ABCD" (AWS Chatbot console, after authorising the workspace).',
  );
  const channelId = readString(
    slack.channelId,
    `${path}.channelId`,
    SLACK_ID,
    problems,
    'give the Slack channel ID, e.g. "C0123ABCD" (channel details in Slack).',
  );
  return workspaceId && channelId ? { workspaceId, channelId } : undefined;
}

function readTeams(value: unknown, path: string, problems: Problems): TeamsChannel | undefined {
  const teams = readObject(
    value,
    path,
    ['tenantId', 'teamId', 'channelId'],
    problems,
    '{"tenantId": "<guid>", "teamId": "<guid>", "channelId": "19:...@thread.tacv2"}',
  );
  if (!teams) return undefined;
  const guid = (key: 'tenantId' | 'teamId') =>
    readString(
      teams[key],
      `${path}.${key}`,
      GUID,
      problems,
      `give the Microsoft Teams ${key === 'tenantId' ? 'tenant' : 'team'} ID (a GUID).`,
    );
  const tenantId = guid('tenantId');
  const teamId = guid('teamId');
  const given =
    typeof teams.channelId === 'string' && teams.channelId.includes(':')
      ? encodeURIComponent(teams.channelId)
      : teams.channelId;
  const channelId = readString(
    given,
    `${path}.channelId`,
    TEAMS_CHANNEL,
    problems,
    'give the Teams channel ID from the channel link, e.g. "19%3aabc123%40thread.tacv2".',
  );
  return tenantId && teamId && channelId ? { tenantId, teamId, channelId } : undefined;
}
