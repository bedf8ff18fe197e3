// The settings' types, apart from their readers: the constructs and the poller's environment import them without
// loading the validation (a leaf, so no import cycle can run through it).

import type { RetentionDays } from 'aws-cdk-lib/aws-logs';

export type Json = Record<string, unknown>;

export interface StackSettings {
  /** Prefix of the names an admin sees (secrets, alarms, chat configurations). */
  stackName: string;
  enterpriseManagers: EmSettings[];
  /** The alert engine's settings (alertOn, retryHold, repeat, stale, ...), as given. */
  alerting: Json;
  schedule: {
    everyMinutes: number;
    /** More EMs than this: one scheduled invocation per EM instead of one for all. */
    maxEmsPerInvocation: number;
  };
  logRetentionDays: RetentionDays;
  network?: NetworkSettings | undefined;
  subscriptions: SubscriptionSettings;
  /** The state table an earlier deployment kept, to continue from its state; absent: a new table. */
  stateTableName?: string | undefined;
  /** Tags on every resource, beside `project=replica-alerts` (which they may not override). */
  tags: Record<string, string>;
  /** Every event also to an EventBridge bus; absent: none (unless `pagerDuty` needs one). */
  eventBus?: EventBusSettings | undefined;
  /** PagerDuty Events API v2 through an EventBridge API destination; absent: none. */
  pagerDuty?: PagerDutySettings | undefined;
}

export interface EventBusSettings {
  /** An existing bus in the stack's account and region; absent: the stack creates `<stackName>-alerts`. */
  busName?: string | undefined;
}

export interface PagerDutySettings {
  /** Secrets Manager secret (ARN) holding the integration's routing key, made before the deploy. */
  routingKeySecretArn: string;
  /** The JSON key of the routing key in that secret; absent: the secret is the plain key. */
  routingKeyField?: string | undefined;
  /** The least severe alert that opens an incident: `Warning` (default) or `Failed`. */
  minSeverity: 'Failed' | 'Warning';
}

export interface EmSettings {
  /** Short name used in alerts, resource names and the per-EM schedule's input. */
  name: string;
  /** `https://host:9398/api/` (the REST API's base). */
  url: string;
  /** An existing secret; absent: the stack creates `<stack>/em/<name>` empty. */
  secretArn?: string | undefined;
  caCert?: string | undefined;
}

export interface NetworkSettings {
  vpcId: string;
  /** Private subnets with a route to the EMs and to AWS APIs (NAT gateway or VPC endpoints). */
  subnetIds: string[];
  /** An existing security group; absent: the stack creates one with egress to the EMs and HTTPS only. */
  securityGroupId?: string | undefined;
  /** Where the EMs are, for the created security group's egress rule; default anywhere. */
  emCidrs: string[];
}

/** SNS filter policy on message attributes: attribute name to a list of accepted conditions. */
export type FilterPolicy = Record<string, unknown[]>;

export interface Subscription {
  endpoint: string;
  /** `null`: deliver everything (only SMS has a default filter). */
  filterPolicy?: FilterPolicy | null | undefined;
}

/** A chat channel already configured in AWS Chatbot (one configuration per channel and account): not created. */
interface ChatChannel {
  existingConfiguration?: boolean | undefined;
}

export interface SlackChannel extends ChatChannel {
  workspaceId: string;
  channelId: string;
}

export interface TeamsChannel extends ChatChannel {
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
