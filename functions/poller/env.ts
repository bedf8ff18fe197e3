// The Lambda's configuration, read from environment variables once at cold start and validated with one clear
// message per problem (the CDK stack sets these; see infra/). Nothing here is secret: EM credentials stay in
// Secrets Manager and only their ARNs are configured.

import { type Settings, validateSettings } from '../alerts/index.ts';
import { apiBase } from '../em/config.ts';
import { CHANNELS, type Channel } from '../messages/types.ts';

export interface EmTarget {
  name: string;
  url: string;
  /** The Secrets Manager secret with the EM's credentials (Lambda); the CLI takes them from the environment. */
  secretArn?: string | undefined;
  caCert?: string | undefined;
}

export interface LambdaConfig {
  table: string;
  topics: Partial<Record<Channel, string>>;
  ems: EmTarget[];
  /** The alerting settings, validated by the alert engine's settings parser. */
  settings: Settings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

export const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const EM_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function readLambdaConfig(env: Record<string, string | undefined>): LambdaConfig {
  const problems: string[] = [];
  const table = env.TABLE_NAME ?? '';
  if (!table) problems.push('TABLE_NAME is not set: it must name the DynamoDB state table.');

  const topics: Partial<Record<Channel, string>> = {};
  for (const channel of CHANNELS) {
    const variable = `TOPIC_${channel.toUpperCase()}_ARN`;
    const arn = env[variable];
    if (!arn) continue;
    if (TOPIC_ARN.test(arn)) topics[channel] = arn;
    else problems.push(`${variable} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>).`);
  }
  if (!Object.keys(topics).length) problems.push('No TOPIC_<CHANNEL>_ARN is set: alerts would go nowhere.');

  const ems = readJson(env, 'ENTERPRISE_MANAGERS', problems);
  const targets: EmTarget[] = [];
  if (ems !== undefined && (!Array.isArray(ems) || ems.length === 0)) {
    problems.push('ENTERPRISE_MANAGERS must be a non-empty JSON array of {name, url, secretArn, caCert?}.');
  } else if (Array.isArray(ems)) {
    ems.forEach((em, i) => {
      const target = readTarget(em, `ENTERPRISE_MANAGERS[${i}]`, problems);
      if (!target) return;
      if (targets.some((t) => t.name === target.name))
        problems.push(`ENTERPRISE_MANAGERS has "${target.name}" twice.`);
      targets.push(target);
    });
  }
  // Checked with the rest, so that one deploy shows every problem at once.
  const checked = validateSettings(readJson(env, 'SETTINGS', problems) ?? {});
  if (!checked.ok) problems.push(...checked.errors.map((e) => `SETTINGS: ${e}`));
  if (problems.length || !checked.ok) throw new ConfigError(problems);
  return { table, topics, ems: targets, settings: checked.settings };
}

function readJson(env: Record<string, string | undefined>, name: string, problems: string[]): unknown {
  const text = env[name];
  if (!text) {
    if (name === 'ENTERPRISE_MANAGERS') problems.push(`${name} is not set.`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${name} is not valid JSON (${(error as Error).message.slice(0, 80)}).`);
    return undefined;
  }
}

function readTarget(value: unknown, where: string, problems: string[]): EmTarget | undefined {
  if (typeof value !== 'object' || value === null) {
    problems.push(`${where} must be an object {name, url, secretArn, caCert?}.`);
    return undefined;
  }
  const { name, url, secretArn, caCert } = value as Record<string, unknown>;
  const before = problems.length;
  if (typeof name !== 'string' || !EM_NAME.test(name)) {
    problems.push(`${where}.name must be 1-64 letters, digits, dots, dashes or underscores.`);
  }
  if (typeof url !== 'string')
    problems.push(`${where}.url must be the EM URL, e.g. https://em.example.com:9398/api/.`);
  else {
    try {
      apiBase(String(name), url);
    } catch (error) {
      problems.push(`${where}.url: ${(error as Error).message}`);
    }
  }
  if (typeof secretArn !== 'string' || !SECRET_ARN.test(secretArn)) {
    problems.push(`${where}.secretArn must be a Secrets Manager secret ARN.`);
  }
  if (
    caCert !== undefined &&
    (typeof caCert !== 'string' || !caCert.includes('-----BEGIN CERTIFICATE-----'))
  ) {
    problems.push(`${where}.caCert must be a PEM certificate bundle.`);
  }
  if (problems.length > before) return undefined;
  return {
    name: name as string,
    url: url as string,
    secretArn: secretArn as string,
    caCert: caCert as string | undefined,
  };
}
