// The stack's one typed settings object, validated at synth. Alerting settings use the alert engine's names and
// validator (functions/alerts/settings.ts), so what synthesises is exactly what the Lambda accepts; they are passed
// to the Lambda as given, and the Lambda fills the defaults.

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { validateSettings } from '../../functions/alerts/settings.ts';
import { environmentSize } from '../poller/environment.ts';
import { readEnterpriseManagers } from './enterprise-managers.ts';
import { readNetwork } from './network.ts';
import {
  type Fields,
  isObject,
  Problems,
  readRoot,
  type Setting,
  type Shape,
  type StringRule,
} from './read.ts';
import { readSubscriptions } from './subscriptions.ts';
import type { EmSettings, Json, StackSettings } from './types.ts';

export class SettingsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid replica-alerts settings (${source}):\n- ${problems.join('\n- ')}`);
    this.name = 'SettingsError';
  }
}

const SETTINGS: Shape = {
  known: [
    'stackName',
    'enterpriseManagers',
    'alerting',
    'schedule',
    'logRetentionDays',
    'network',
    'subscriptions',
    'stateTableName',
  ],
  example: '{"enterpriseManagers": [...]}',
};
const DEFAULT_STACK_NAME = 'ReplicaAlerts';
const STACK_NAME: StringRule = {
  pattern: /^[A-Za-z][A-Za-z0-9-]{0,63}$/,
  fix: 'give a CloudFormation stack name: a letter, then up to 63 letters, digits or dashes.',
};
const TABLE_NAME: StringRule = {
  pattern: /^[A-Za-z0-9_.-]{3,255}$/,
  fix: 'give the name of the table a removed stack kept (its StateTableName output), or leave it out.',
};
const SCHEDULE: Shape = { known: ['everyMinutes', 'maxEmsPerInvocation'], example: '{"everyMinutes": 5}' };
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
  const settings = readRoot(value, SETTINGS, problems);
  const stackName = settings.optionalString('stackName', STACK_NAME) ?? DEFAULT_STACK_NAME;
  const enterpriseManagers = readEnterpriseManagers(settings, baseDir);
  const alerting = readAlerting(settings.get('alerting'));
  const schedule = readSchedule(settings);
  const logRetentionDays = readRetention(settings.get('logRetentionDays'));
  const network = readNetwork(settings);
  const subscriptions = readSubscriptions(settings);
  const stateTableName = settings.optionalString('stateTableName', TABLE_NAME);
  checkEnvironmentSize(enterpriseManagers, alerting, problems);
  // A bad value always records a problem, whatever it then reads as.
  if (problems.list.length) throw new SettingsError(source, problems.list);
  return {
    stackName,
    enterpriseManagers,
    alerting,
    schedule,
    logRetentionDays,
    network,
    subscriptions,
    stateTableName,
    tags: {}, // read by the schema (issue 16)
  };
}

function readAlerting(alerting: Setting): Json {
  if (alerting.value === undefined) return {};
  if (!isObject(alerting.value)) {
    alerting.problem('give an object of alerting settings, e.g. {"retryHold": 15, "timeZone": "UTC"}.');
    return {};
  }
  const checked = validateSettings(alerting.value);
  if (!checked.ok)
    for (const error of checked.errors) alerting.problems.list.push(`${alerting.path}.${error}`);
  return alerting.value;
}

function readSchedule(settings: Fields): StackSettings['schedule'] {
  const schedule = settings.section('schedule', SCHEDULE);
  return {
    everyMinutes: schedule.integer('everyMinutes', { min: 1, max: MAX_EVERY_MINUTES, fallback: 5 }),
    maxEmsPerInvocation: schedule.integer('maxEmsPerInvocation', { min: 1, max: 100, fallback: 5 }),
  };
}

function readRetention(retention: Setting): RetentionDays {
  if (retention.value === undefined) return RetentionDays.THREE_MONTHS;
  if (RETENTION_DAYS.includes(retention.value as number)) return retention.value as RetentionDays;
  retention.problem(
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
