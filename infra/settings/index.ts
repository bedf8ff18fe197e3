// The stack's one typed settings object, validated at synth. Alerting settings use the alert engine's names and
// validator (functions/alerts/settings.ts), so what synthesises is exactly what the Lambda accepts; they are passed
// to the Lambda as given, and the Lambda fills the defaults.

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { validateSettings } from '../../functions/alerts/settings.ts';
import { environmentSize } from '../poller/environment.ts';
import { type EmSettings, readEnterpriseManagers } from './enterprise-managers.ts';
import { type NetworkSettings, readNetwork } from './network.ts';
import { isObject, type Json, Problems, readInteger, readObject, readString } from './read.ts';
import { readSubscriptions, type SubscriptionSettings } from './subscriptions.ts';

export type { EmSettings } from './enterprise-managers.ts';
export type { NetworkSettings } from './network.ts';
export type {
  FilterPolicy,
  SlackChannel,
  Subscription,
  SubscriptionSettings,
  TeamsChannel,
} from './subscriptions.ts';

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
}

export class SettingsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid replica-alerts settings (${source}):\n- ${problems.join('\n- ')}`);
    this.name = 'SettingsError';
  }
}

const KNOWN = [
  'stackName',
  'enterpriseManagers',
  'alerting',
  'schedule',
  'logRetentionDays',
  'network',
  'subscriptions',
  'stateTableName',
];
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const RETENTION_DAYS = Object.values(RetentionDays).filter(
  (d): d is number => typeof d === 'number' && d > 0,
);
/** The heartbeat alarm's period is twice the schedule, and CloudWatch evaluates at most one day. */
const MAX_EVERY_MINUTES = 720;
const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/**
 * Reads and checks settings. `source` names where they came from (for the error); `baseDir` is where relative
 * file paths (caCertFile) resolve.
 */
export function parseSettings(value: unknown, source: string, baseDir: string): StackSettings {
  const problems = new Problems();
  const given = readObject(value, 'settings', KNOWN, problems, '{"enterpriseManagers": [...]}') ?? {};
  const stackName =
    given.stackName === undefined
      ? 'ReplicaAlerts'
      : readString(
          given.stackName,
          'stackName',
          STACK_NAME,
          problems,
          'give a CloudFormation stack name: a letter, then up to 63 letters, digits or dashes.',
        );
  const enterpriseManagers = readEnterpriseManagers(given.enterpriseManagers, baseDir, problems);
  const alerting = readAlerting(given.alerting, problems);
  const schedule = readSchedule(given.schedule, problems);
  const logRetentionDays = readRetention(given.logRetentionDays, problems);
  const network = readNetwork(given.network, problems);
  const subscriptions = readSubscriptions(given.subscriptions, problems);
  const stateTableName =
    given.stateTableName === undefined
      ? undefined
      : readString(
          given.stateTableName,
          'stateTableName',
          TABLE_NAME,
          problems,
          'give the name of the table a removed stack kept (its StateTableName output), or leave it out.',
        );
  checkEnvironmentSize(enterpriseManagers, alerting, problems);
  if (problems.list.length || !stackName) throw new SettingsError(source, problems.list);
  return {
    stackName,
    enterpriseManagers,
    alerting,
    schedule,
    logRetentionDays,
    network,
    subscriptions,
    stateTableName,
  };
}

function readAlerting(value: unknown, problems: Problems): Json {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.add(
      'alerting',
      'give an object of alerting settings, e.g. {"retryHold": 15, "timeZone": "UTC"}.',
    );
    return {};
  }
  const checked = validateSettings(value);
  if (!checked.ok) for (const error of checked.errors) problems.list.push(`alerting.${error}`);
  return value as Json;
}

function readSchedule(value: unknown, problems: Problems): StackSettings['schedule'] {
  const given =
    value === undefined
      ? {}
      : (readObject(
          value,
          'schedule',
          ['everyMinutes', 'maxEmsPerInvocation'],
          problems,
          '{"everyMinutes": 5}',
        ) ?? {});
  return {
    everyMinutes:
      readInteger(
        given.everyMinutes,
        'schedule.everyMinutes',
        { min: 1, max: MAX_EVERY_MINUTES, fallback: 5 },
        problems,
      ) ?? 5,
    maxEmsPerInvocation:
      readInteger(
        given.maxEmsPerInvocation,
        'schedule.maxEmsPerInvocation',
        { min: 1, max: 100, fallback: 5 },
        problems,
      ) ?? 5,
  };
}

function readRetention(value: unknown, problems: Problems): RetentionDays {
  if (value === undefined) return RetentionDays.THREE_MONTHS;
  if (RETENTION_DAYS.includes(value as number)) return value as RetentionDays;
  problems.add(
    'logRetentionDays',
    `give one of CloudWatch Logs' retention periods: ${RETENTION_DAYS.join(', ')} (default 90).`,
  );
  return RetentionDays.THREE_MONTHS;
}

/** Lambda refuses more than 4 KB of environment variables: inline CA bundles are what can overflow it. */
function checkEnvironmentSize(ems: EmSettings[], alerting: Json, problems: Problems): void {
  const size = environmentSize(ems, alerting);
  if (size <= LAMBDA_ENVIRONMENT_LIMIT) return;
  problems.add(
    'enterpriseManagers',
    `the poller's environment would be about ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}; ` +
      'remove caCert/caCertFile from some EMs and put the bundle in their secret ("caCert" key) instead.',
  );
}
