// The committed JSON Schema of the settings file: what `npm run schema` writes from the Zod schema, and what
// editors check a settings file against (the example and the fixture pass; wrong files do not).

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, settingsJsonSchema } from '../../infra/settings/json-schema.ts';
import { EXAMPLE_SETTINGS_FILE } from '../../infra/settings/load.ts';
import { minimalSettings, ROOT_DIR, SETTINGS_FILE } from './fixtures/stack.ts';

const committed = JSON.parse(readFileSync(join(ROOT_DIR, SCHEMA_FILE), 'utf8'));
const settingsFile = (path: string) => JSON.parse(readFileSync(join(ROOT_DIR, path), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(committed);

describe('the committed JSON Schema', () => {
  it('is what `npm run schema` writes from the settings schema', () => {
    // Compared as JSON, not as text: the script has Biome format the file.
    expect(committed, `${SCHEMA_FILE} is out of date: run \`npm run schema\` and commit it`).toStrictEqual(
      settingsJsonSchema(),
    );
  });

  it('is where the example and the fixture point their "$schema"', () => {
    for (const path of [EXAMPLE_SETTINGS_FILE, SETTINGS_FILE]) {
      expect(resolve(dirname(join(ROOT_DIR, path)), settingsFile(path).$schema)).toBe(
        join(ROOT_DIR, SCHEMA_FILE),
      );
    }
  });

  it.each([EXAMPLE_SETTINGS_FILE, SETTINGS_FILE])('accepts %s', (path) => {
    expect(validate(settingsFile(path)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts the new settings', () => {
    const settings = {
      ...minimalSettings(),
      tags: { 'cost-center': 'IT-42', Owner: 'backup ops' },
      eventBus: { busName: 'ops-events' },
      pagerDuty: {
        routingKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf',
        minSeverity: 'Failed',
      },
      subscriptions: {
        slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', existingConfiguration: true }],
      },
      digest: { at: '06:30' },
    };
    expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['no EM', {}],
    ['an unknown key', { ...minimalSettings(), emails: [] }],
    ['an EM without a URL', { enterpriseManagers: [{ name: 'em-prod' }] }],
    ['a password beside an EM', { enterpriseManagers: [{ ...minimalEm(), password: 'hunter2' }] }],
    ['a misspelt alerting setting', { ...minimalSettings(), alerting: { retryHoldMinutes: 5 } }],
    ['a negative retry hold', { ...minimalSettings(), alerting: { retryHold: -1 } }],
    ['a retention CloudWatch does not offer', { ...minimalSettings(), logRetentionDays: 10 }],
    ['a phone number not in E.164 form', { ...minimalSettings(), subscriptions: { sms: ['0170 1234567'] } }],
    ['a tag key AWS reserves', { ...minimalSettings(), tags: { 'aws:cost': 'x' } }],
    ['a "project" tag', { ...minimalSettings(), tags: { project: 'x' } }],
    ['PagerDuty without its secret', { ...minimalSettings(), pagerDuty: { minSeverity: 'Failed' } }],
    ['a bus name with a space', { ...minimalSettings(), eventBus: { busName: 'ops events' } }],
    ['a partner bus', { ...minimalSettings(), eventBus: { busName: 'aws.partner/example.com/1/ops' } }],
    ['a bus name starting with "aws."', { ...minimalSettings(), eventBus: { busName: 'aws.ops' } }],
    ['a digest time that is not HH:MM', { ...minimalSettings(), digest: { at: '7:00' } }],
    ['"digest": true', { ...minimalSettings(), digest: true }],
    [
      'a CIDR that cannot exist',
      {
        ...minimalSettings(),
        network: {
          vpcId: 'vpc-0123456789abcdef0',
          subnetIds: ['subnet-0123456789abcdef0'],
          emCidrs: ['999.1.1.1/99'],
        },
      },
    ],
  ])('refuses %s', (_what, settings) => {
    expect(validate(settings)).toBe(false);
  });
});

function minimalEm(): Record<string, unknown> {
  return { name: 'em-prod', url: 'https://em.example.com:9398/api/' };
}
