// Settings validation at synth: every problem is reported at once, naming the setting and the fix.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readLambdaConfig } from '../../functions/poller/env.ts';
import { parseSettings, SettingsError } from '../../infra/settings/index.ts';
import { loadSettings } from '../../infra/settings/load.ts';
import {
  FIXTURES_DIR,
  fixtureSettings,
  minimalSettings,
  modulesLoadedBy,
  ROOT_DIR,
  SETTINGS_FILE,
} from './fixtures/stack.ts';

/** The problems `parseSettings` reports for these settings (none: an empty list). */
function problems(raw: unknown): string[] {
  try {
    parseSettings(raw, 'test', FIXTURES_DIR);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
}

const PAGERDUTY_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf';
const TEAMS = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  teamId: '66666666-7777-8888-9999-000000000000',
  channelId: '19:abc123@thread.tacv2',
};
const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`tag${i}`, 'x']));

const em = (extra: Record<string, unknown>) => ({
  enterpriseManagers: [{ name: 'em-prod', url: 'https://em.example.com:9398/api/', ...extra }],
});

describe('valid settings', () => {
  it('fill the defaults: every 5 minutes, 5 EMs per invocation, a digest at 07:00, 90 days of logs, no subscriptions', () => {
    expect(parseSettings(minimalSettings(), 'test', FIXTURES_DIR)).toEqual({
      stackName: 'ReplicaAlerts',
      enterpriseManagers: [
        { name: 'em-prod', url: 'https://em.example.com:9398/api/', secretArn: undefined, caCert: undefined },
      ],
      alerting: {},
      schedule: { everyMinutes: 5, maxEmsPerInvocation: 5 },
      digest: { at: '07:00' },
      logRetentionDays: 90,
      network: undefined,
      subscriptions: { email: [], sms: [], webhooks: [], queues: [], functions: [], slack: [], teams: [] },
      tags: {},
    });
  });

  it("accept the fixture (every kind of subscription) and the example file's shape", () => {
    expect(problems(fixtureSettings())).toEqual([]);
    const example = JSON.parse(readFileSync(join(ROOT_DIR, 'replica-alerts.settings.example.json'), 'utf8'));
    // The example validates as shipped: a fresh clone's `cdk synth` synthesises it.
    expect(problems(example)).toEqual([]);
  });

  it('read tags, an EventBridge bus, PagerDuty and chat channels configured elsewhere', () => {
    const settings = parseSettings(
      {
        ...minimalSettings(),
        tags: { 'cost-center': 'IT-42', 'Owner Team': 'backup ops', empty: '' },
        eventBus: {},
        pagerDuty: { routingKeySecretArn: PAGERDUTY_SECRET },
        subscriptions: {
          slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', existingConfiguration: true }],
          teams: [{ ...TEAMS, existingConfiguration: false }],
        },
      },
      'test',
      FIXTURES_DIR,
    );
    expect(settings.tags).toEqual({ 'cost-center': 'IT-42', 'Owner Team': 'backup ops', empty: '' });
    expect(settings.eventBus).toEqual({});
    expect(settings.pagerDuty).toEqual({ routingKeySecretArn: PAGERDUTY_SECRET, minSeverity: 'Warning' });
    expect(settings.subscriptions.slack[0]?.existingConfiguration).toBe(true);
    expect(settings.subscriptions.teams[0]).toMatchObject({
      channelId: '19%3Aabc123%40thread.tacv2',
      existingConfiguration: false,
    });
    const named = parseSettings(
      {
        ...minimalSettings(),
        eventBus: { busName: 'ops.events_1-prod' },
        pagerDuty: {
          routingKeySecretArn: PAGERDUTY_SECRET,
          routingKeyField: 'routingKey',
          minSeverity: 'Failed',
        },
      },
      'test',
      FIXTURES_DIR,
    );
    expect(named.eventBus).toEqual({ busName: 'ops.events_1-prod' });
    expect(named.pagerDuty).toEqual({
      routingKeySecretArn: PAGERDUTY_SECRET,
      routingKeyField: 'routingKey',
      minSeverity: 'Failed',
    });
  });

  it('accept the default bus, and CIDRs from 0.0.0.0/0 to 255.255.255.255/32', () => {
    expect(problems({ ...minimalSettings(), eventBus: { busName: 'default' } })).toEqual([]);
    const network = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] };
    const emCidrs = ['0.0.0.0/0', '10.20.0.15/32', '192.168.100.0/24', '255.255.255.255/32', '172.16.0.0/12'];
    expect(problems({ ...minimalSettings(), network: { ...network, emCidrs } })).toEqual([]);
  });

  it('accept "$schema" for editors and ignore it', () => {
    const settings = parseSettings(
      { $schema: './replica-alerts.settings.schema.json', ...minimalSettings() },
      'test',
      FIXTURES_DIR,
    );
    expect(settings).not.toHaveProperty('$schema');
  });

  it('pass alerting as given: the Lambda fills the defaults, and SETTINGS stays small', () => {
    const alerting = { retryHold: 5, timeZone: 'Europe/Berlin' };
    expect(parseSettings({ ...minimalSettings(), alerting }, 'test', FIXTURES_DIR).alerting).toEqual(
      alerting,
    );
  });

  it('read caCertFile relative to the settings file', () => {
    const settings = parseSettings(em({ caCertFile: 'ca.pem' }), 'test', FIXTURES_DIR);
    expect(settings.enterpriseManagers[0]?.caCert).toBe(readFileSync(join(FIXTURES_DIR, 'ca.pem'), 'utf8'));
  });
});

describe('invalid settings', () => {
  it.each([
    [{}, 'enterpriseManagers: give a non-empty list of Enterprise Managers'],
    [{ enterpriseManagers: [] }, 'enterpriseManagers: give a non-empty list'],
    [
      { ...minimalSettings(), emails: [] },
      'emails: unknown setting; known settings are stackName, enterpriseManagers',
    ],
    [{ ...minimalSettings(), stackName: '1st' }, 'stackName: give a CloudFormation stack name'],
    [
      { enterpriseManagers: [{ name: 'em prod', url: 'https://em:9398/api/' }] },
      'enterpriseManagers[0].name: give 1-64 letters',
    ],
    [em({ url: 'http://em.example.com:9398/api/' }), 'enterpriseManagers[0].url: use https:// (got http:)'],
    [
      em({ url: 'https://admin:pw@em.example.com:9398/api/' }),
      'enterpriseManagers[0].url: remove the user name or password',
    ],
    [em({ url: 'em.example.com' }), 'enterpriseManagers[0].url: "em.example.com" is not a URL'],
    [
      em({ url: 'https://admin:pw@em:99999/' }),
      'enterpriseManagers[0].url: "https://***@em:99999/" is not a URL',
    ],
    [em({ password: 'hunter2' }), 'enterpriseManagers[0].password: never put credentials in the settings'],
    [
      em({ username: 'DOMAIN\\svc' }),
      'enterpriseManagers[0].username: never put credentials in the settings',
    ],
    [
      em({ secretArn: 'veeam/em-prod' }),
      'enterpriseManagers[0].secretArn: give the ARN of an existing Secrets Manager secret',
    ],
    [em({ caCert: 'not a pem' }), 'enterpriseManagers[0].caCert: give a PEM bundle'],
    [em({ caCertFile: 'missing.pem' }), 'enterpriseManagers[0].caCertFile: cannot read "missing.pem"'],
    [
      em({ caCertFile: 'handler.ts' }),
      'enterpriseManagers[0].caCertFile: the file is not a PEM certificate bundle',
    ],
    [
      em({ caCertFile: 'ca.pem', caCert: '-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----' }),
      'enterpriseManagers[0]: give either caCert or caCertFile',
    ],
    [
      { ...minimalSettings(), alerting: { retryHold: -1 } },
      'alerting.retryHold: give whole minutes from 0 to 1440',
    ],
    [
      { ...minimalSettings(), alerting: { retryHoldMinutes: 5 } },
      'alerting.retryHoldMinutes: unknown setting; known settings are alertOn',
    ],
    [
      { ...minimalSettings(), alerting: { timeZone: 'Mars/Olympus' } },
      'alerting.timeZone: "Mars/Olympus" is not an IANA time zone',
    ],
    [{ ...minimalSettings(), alerting: [] }, 'alerting: give an object of alerting settings'],
    [
      { ...minimalSettings(), schedule: { everyMinutes: 0 } },
      'schedule.everyMinutes: give a whole number from 1 to 720 (default 5)',
    ],
    [{ ...minimalSettings(), schedule: { everyMinutes: 2.5 } }, 'schedule.everyMinutes: give a whole number'],
    [
      { ...minimalSettings(), schedule: { maxEmsPerInvocation: 0 } },
      'schedule.maxEmsPerInvocation: give a whole number from 1 to 100',
    ],
    [{ ...minimalSettings(), schedule: { cron: '0 * * * *' } }, 'schedule.cron: unknown setting'],
    [
      { ...minimalSettings(), stateTableName: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t' },
      'stateTableName: give the name of the table a removed stack kept',
    ],
    [
      { ...minimalSettings(), logRetentionDays: 10 },
      "logRetentionDays: give one of CloudWatch Logs' retention periods",
    ],
    [
      { ...minimalSettings(), subscriptions: { email: ['ops'] } },
      'subscriptions.email[0]: give an e-mail address',
    ],
    [
      { ...minimalSettings(), subscriptions: { sms: ['0170 1234567'] } },
      'subscriptions.sms[0]: give a phone number in E.164 form',
    ],
    [
      { ...minimalSettings(), subscriptions: { webhooks: ['http://hooks.example.com'] } },
      'subscriptions.webhooks[0]: give an https:// URL',
    ],
    [
      { ...minimalSettings(), subscriptions: { queues: ['replica-events'] } },
      'subscriptions.queues[0]: give an SQS queue ARN',
    ],
    [
      { ...minimalSettings(), subscriptions: { functions: ['arn:aws:sqs:eu-west-1:123456789012:q'] } },
      'subscriptions.functions[0]: give a Lambda function ARN',
    ],
    [{ ...minimalSettings(), subscriptions: { pagers: [] } }, 'subscriptions.pagers: unknown setting'],
    [
      {
        ...minimalSettings(),
        subscriptions: { email: ['ops@example.com', { endpoint: 'ops@example.com' }] },
      },
      'subscriptions.email: "ops@example.com" is listed twice',
    ],
    [
      { ...minimalSettings(), subscriptions: { email: 'ops@example.com' } },
      'subscriptions.email: give a list',
    ],
    [
      {
        ...minimalSettings(),
        subscriptions: { email: [{ endpoint: 'ops@example.com', filterPolicy: { severity: 'Failed' } }] },
      },
      'subscriptions.email[0].filterPolicy.severity: give an object of up to 5 attribute names',
    ],
    [
      {
        ...minimalSettings(),
        subscriptions: {
          sms: [
            { endpoint: '+15555550123', filterPolicy: { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] } },
          ],
        },
      },
      'subscriptions.sms[0].filterPolicy: give an object of up to 5 attribute names',
    ],
    [
      { ...minimalSettings(), subscriptions: { slack: [{ workspaceId: 'acme', channelId: 'C0123ABCD' }] } },
      'subscriptions.slack[0].workspaceId: give the Slack workspace',
    ],
    [
      {
        ...minimalSettings(),
        subscriptions: { teams: [{ tenantId: 'x', teamId: 'y', channelId: 'general' }] },
      },
      'subscriptions.teams[0].tenantId: give the Microsoft Teams tenant ID',
    ],
    [
      { ...minimalSettings(), network: { vpcId: 'vpc-1', subnetIds: ['subnet-0123456789abcdef0'] } },
      'network.vpcId: give a VPC ID',
    ],
    [
      { ...minimalSettings(), network: { vpcId: 'vpc-0123456789abcdef0' } },
      'network.subnetIds: give the private subnet IDs',
    ],
    [
      { ...minimalSettings(), network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: [] } },
      'network.subnetIds: give at least one private subnet ID',
    ],
    [
      {
        ...minimalSettings(),
        network: {
          vpcId: 'vpc-0123456789abcdef0',
          subnetIds: ['subnet-0123456789abcdef0'],
          securityGroupId: 'sg-0123456789abcdef0',
          emCidrs: ['10.0.0.1/32'],
        },
      },
      'network.emCidrs: applies only to the security group the stack creates',
    ],
    ...['999.1.1.1/99', '10.0.0.256/32', '10.0.0.1/33', '010.0.0.1/32', '10.0.0/24', '10.0.0.1'].map(
      (cidr): [unknown, string] => [
        {
          ...minimalSettings(),
          network: {
            vpcId: 'vpc-0123456789abcdef0',
            subnetIds: ['subnet-0123456789abcdef0'],
            emCidrs: [cidr],
          },
        },
        'network.emCidrs[0]: give an IPv4 CIDR: four numbers of 0-255 (no leading zeros) and a prefix length of 0-32',
      ],
    ),
    [
      { ...minimalSettings(), alerting: { 'retry-hold': 5 } },
      'alerting["retry-hold"]: unknown setting; known settings are alertOn, retryHold, repeat',
    ],
    [{ ...minimalSettings(), alerting: { 'retry-hold': 5 } }, 'Did you mean "retryHold"?'],
    [
      { ...minimalSettings(), subscriptions: { email: [5] } },
      'subscriptions.email[0]: give an endpoint, e.g. "ops@example.com", or {"endpoint": "ops@example.com"',
    ],
    [
      {
        ...minimalSettings(),
        subscriptions: {
          slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', existingConfiguration: 'yes' }],
        },
      },
      'subscriptions.slack[0].existingConfiguration: give true when the channel already has an AWS Chatbot configuration',
    ],
    [
      { ...minimalSettings(), subscriptions: { teams: [{ ...TEAMS, existingConfiguration: 1 }] } },
      'subscriptions.teams[0].existingConfiguration: give true',
    ],
    [{ ...minimalSettings(), tags: ['team'] }, 'tags: give an object of tag keys to values'],
    [
      { ...minimalSettings(), tags: { 'aws:cost': 'x' } },
      'tags["aws:cost"]: keys starting with "aws:" are reserved',
    ],
    [
      { ...minimalSettings(), tags: { 'AWS:cost': 'x' } },
      'tags["AWS:cost"]: keys starting with "aws:" are reserved',
    ],
    [{ ...minimalSettings(), tags: { project: 'x' } }, 'tags.project: the stack sets "project" itself'],
    [{ ...minimalSettings(), tags: { ['k'.repeat(129)]: 'x' } }, 'give a tag key of 1-128 letters'],
    [{ ...minimalSettings(), tags: { '': 'x' } }, 'tags[""]: give a tag key of 1-128 letters'],
    [{ ...minimalSettings(), tags: { 'team#1': 'x' } }, 'tags["team#1"]: give a tag key'],
    [
      { ...minimalSettings(), tags: { team: 'v'.repeat(257) } },
      'tags.team: give a tag value of 0-256 letters',
    ],
    [{ ...minimalSettings(), tags: { team: 'a;b' } }, 'tags.team: give a tag value'],
    [{ ...minimalSettings(), tags: { team: 5 } }, 'tags.team: give a tag value'],
    [{ ...minimalSettings(), tags: tags(50) }, 'tags: give at most 49 tags'],
    [{ ...minimalSettings(), eventBus: true }, 'eventBus: give an object: {} to have the stack create a bus'],
    [
      { ...minimalSettings(), eventBus: { name: 'ops' } },
      'eventBus.name: unknown setting; known settings are busName',
    ],
    [
      { ...minimalSettings(), eventBus: { busName: 'ops events!' } },
      'eventBus.busName: give the name of an existing custom EventBridge bus',
    ],
    [{ ...minimalSettings(), eventBus: { busName: 'b'.repeat(257) } }, 'eventBus.busName: give the name'],
    [
      { ...minimalSettings(), eventBus: { busName: 'aws.partner/example.com/123/ops' } },
      'eventBus.busName: only partner event buses (aws.partner/...) have a "/" in their name, and replica-alerts ' +
        'cannot put events on one; give the name of an existing custom EventBridge bus',
    ],
    [
      { ...minimalSettings(), eventBus: { busName: 'ops/events' } },
      'eventBus.busName: only partner event buses (aws.partner/...) have a "/"',
    ],
    [
      { ...minimalSettings(), eventBus: { busName: 'aws.ops-events' } },
      'eventBus.busName: names starting with "aws." belong to AWS and its partners\' event buses; give the name',
    ],
    [
      { ...minimalSettings(), pagerDuty: {} },
      'pagerDuty.routingKeySecretArn: give the ARN of the Secrets Manager secret that holds the PagerDuty routing key',
    ],
    [
      { ...minimalSettings(), pagerDuty: { routingKeySecretArn: 'pagerduty' } },
      'pagerDuty.routingKeySecretArn: give the ARN',
    ],
    [
      { ...minimalSettings(), pagerDuty: { routingKeySecretArn: PAGERDUTY_SECRET, routingKeyField: '' } },
      'pagerDuty.routingKeyField: give the JSON key of the routing key in the secret',
    ],
    [
      { ...minimalSettings(), pagerDuty: { routingKeySecretArn: PAGERDUTY_SECRET, minSeverity: 'Critical' } },
      'pagerDuty.minSeverity: give "Failed" or "Warning" (default "Warning")',
    ],
    [
      { ...minimalSettings(), pagerDuty: { routingKey: 'R0UT1NGK3Y' } },
      'pagerDuty.routingKey: unknown setting; known settings are routingKeySecretArn, routingKeyField, minSeverity',
    ],
    [{ ...minimalSettings(), $schema: 5 }, '$schema: give the path or URL of the JSON Schema'],
  ])('%j: %s', (raw, expected) => {
    expect(problems(raw)).toContainEqual(expect.stringContaining(expected));
  });

  it('name one problem for a partner bus, not its characters as well', () => {
    expect(
      problems({ ...minimalSettings(), eventBus: { busName: 'aws.partner/example.com/1/ops' } }),
    ).toEqual([expect.stringMatching(/^eventBus\.busName: only partner event buses/)]);
  });

  it('name every problem at once, in the error message too', () => {
    const raw = {
      enterpriseManagers: [
        { name: 'em-prod', url: 'https://a.example.com/api/' },
        { name: 'em-prod', url: 'https://b.example.com/api/' },
      ],
      alerting: { repeat: 'daily' },
      subscriptions: { sms: ['12345'] },
    };
    expect(problems(raw)).toEqual([
      'enterpriseManagers: the name "em-prod" is used twice; give each EM its own name.',
      'alerting.repeat: give whole minutes from 0 (off) to 43200 (default 1440).',
      'subscriptions.sms[0]: give a phone number in E.164 form, e.g. "+15555550123".',
    ]);
    expect(() => parseSettings(raw, 'settings.json', FIXTURES_DIR)).toThrow(
      /^Invalid replica-alerts settings \(settings.json\):\n- enterpriseManagers: the name "em-prod" is used twice/,
    );
  });

  it('name every problem of the new settings at once, beside the others', () => {
    const raw = {
      ...minimalSettings(),
      stackName: '1st',
      tags: { project: 'x', team: 'a;b' },
      eventBus: { busName: '' },
      pagerDuty: { minSeverity: 'Info' },
    };
    expect(problems(raw)).toEqual([
      'stackName: give a CloudFormation stack name: a letter, then up to 63 letters, digits or dashes.',
      'tags.project: the stack sets "project" itself (project=replica-alerts); choose another key.',
      'tags.team: give a tag value of 0-256 letters, digits, spaces and _ . : / = + - @.',
      expect.stringMatching(/^eventBus\.busName: give the name of an existing custom EventBridge bus/),
      expect.stringMatching(/^pagerDuty\.routingKeySecretArn: give the ARN/),
      expect.stringMatching(/^pagerDuty\.minSeverity: give "Failed" or "Warning"/),
    ]);
  });

  it('refuse a user name or password in a webhook URL (the template would show it), without repeating it', () => {
    const hook = 'https://alerts:s3cret-token@hooks.example.com/veeam';
    const found = problems({
      ...minimalSettings(),
      subscriptions: { webhooks: [hook, { endpoint: hook.replace('/veeam', '/cio') }] },
    });
    const fix =
      'remove the user name or password from the URL; it would land in the CloudFormation template. Have the ' +
      'endpoint verify the SNS message signature instead, or subscribe it outside the stack';
    expect(found).toEqual([
      expect.stringContaining(`subscriptions.webhooks[0]: ${fix}`),
      expect.stringContaining(`subscriptions.webhooks[1].endpoint: ${fix}`),
    ]);
    expect(found.join('\n')).not.toContain('s3cret-token');
    expect(
      problems({ ...minimalSettings(), subscriptions: { webhooks: ['https://hooks.example.com/v?x=1'] } }),
    ).toEqual([]);
  });

  it("refuse CA bundles that would overflow Lambda's 4 KB environment", () => {
    const pem = readFileSync(join(FIXTURES_DIR, 'ca.pem'), 'utf8');
    const ems = ['a', 'b', 'c', 'd', 'e'].map((name) => ({
      name,
      url: `https://${name}.example.com:9398/api/`,
      caCert: pem,
    }));
    expect(problems({ enterpriseManagers: ems })).toEqual([
      expect.stringMatching(
        /^enterpriseManagers: the poller's environment would be about \d+ bytes, over Lambda's 4096; .* put the bundle in their secret/,
      ),
    ]);
    expect(problems({ enterpriseManagers: ems.slice(0, 2) })).toEqual([]);
  });
});

describe('loading settings', () => {
  const load = (context: Record<string, unknown>) => loadSettings(new App({ context }).node, ROOT_DIR);

  it('reads an object from cdk.json context, or a JSON string from -c', () => {
    expect(load({ replicaAlerts: minimalSettings() }).enterpriseManagers[0]?.name).toBe('em-prod');
    expect(load({ replicaAlerts: JSON.stringify(minimalSettings()) }).enterpriseManagers[0]?.name).toBe(
      'em-prod',
    );
  });

  it('reads a settings file, resolving its paths next to it', () => {
    const settings = load({ 'replicaAlerts:settingsFile': SETTINGS_FILE });
    expect(settings.enterpriseManagers[0]?.caCert).toContain('-----BEGIN CERTIFICATE-----');
  });

  it('explains how to provide settings when there are none', () => {
    expect(() => load({ 'replicaAlerts:settingsFile': 'nowhere.json' })).toThrow(
      /no settings: copy replica-alerts.settings.example.json to replica-alerts.settings.json/,
    );
  });

  it('refuses two sources, and JSON that does not parse', () => {
    expect(() =>
      load({ replicaAlerts: minimalSettings(), 'replicaAlerts:settingsFile': SETTINGS_FILE }),
    ).toThrow(/both set: keep one of them/);
    expect(() => load({ replicaAlerts: '{"enterpriseManagers": [' })).toThrow(
      /context "replicaAlerts"\):\n- not valid JSON/,
    );
  });
});

describe('the settings module', () => {
  it('loads no Lambda construct: checking settings needs only the poller sizing, not the stack', async () => {
    expect(await modulesLoadedBy('infra/settings/index.ts', /aws-cdk-lib[\\/]aws-lambda/)).toEqual([]);
  }, 30_000);
});

describe('the rules the Lambda checks again', () => {
  const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';
  /** Whether the poller accepts this EM in its environment, as the stack would set it. */
  const lambdaAccepts = (target: { name: string; secretArn: string }) => {
    try {
      readLambdaConfig({
        TABLE_NAME: 'state',
        TOPIC_EMAIL_ARN: 'arn:aws:sns:eu-west-1:123456789012:ra-email',
        ENTERPRISE_MANAGERS: JSON.stringify([{ ...target, url: 'https://em.example.com:9398/api/' }]),
      });
      return true;
    } catch {
      return false;
    }
  };
  const stackAccepts = (target: { name: string; secretArn: string }) => problems(em(target)).length === 0;

  it.each([
    ['em-prod', true],
    ['em.prod_2', true],
    ['e'.repeat(64), true],
    ['e'.repeat(65), false],
    ['em prod', false],
    ['em/prod', false],
    ['émile', false],
    ['', false],
  ])('EM name %j: the stack and the poller both say %s', (name, accepted) => {
    const secretArn = `${SECRET}replica-alerts/em-AbCdEf`;
    expect({ stack: stackAccepts({ name, secretArn }), lambda: lambdaAccepts({ name, secretArn }) }).toEqual({
      stack: accepted,
      lambda: accepted,
    });
  });

  it.each([
    ['replica-alerts/em-prod-AbCdEf', true],
    ['a_b+c=d.e@f-AbCdEf', true],
    ['em prod-AbCdEf', false],
    ['em#prod-AbCdEf', false],
    ['em:prod-AbCdEf', false],
    ['', false],
  ])('secret %j: the stack and the poller both say %s', (secret, accepted) => {
    const target = { name: 'em-prod', secretArn: `${SECRET}${secret}` };
    expect({ stack: stackAccepts(target), lambda: lambdaAccepts(target) }).toEqual({
      stack: accepted,
      lambda: accepted,
    });
  });
});
