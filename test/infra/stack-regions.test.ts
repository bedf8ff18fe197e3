// One stack name in two regions of one account: names that are unique in the account (not per region) must
// differ, or the second deploy fails. CloudFormation's generated names are unique already; what the stack names
// itself and is account-wide is checked here, over the whole template.

import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, fixtureSettings, typedSettings } from './fixtures/stack.ts';

/** Resource types whose names are account-wide (IAM, Chatbot) or global (S3), with their name property. */
const ACCOUNT_WIDE: Record<string, string> = {
  'AWS::Chatbot::SlackChannelConfiguration': 'ConfigurationName',
  'AWS::Chatbot::MicrosoftTeamsChannelConfiguration': 'ConfigurationName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::S3::Bucket': 'BucketName',
};

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

/** The explicit account-wide names of the template, by logical ID. */
function accountWideNames(template: Template): Record<string, unknown> {
  const resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> =
    template.toJSON().Resources;
  return Object.fromEntries(
    Object.entries(resources).flatMap(([id, { Type, Properties }]) => {
      const property = ACCOUNT_WIDE[Type];
      return property && Properties?.[property] !== undefined ? [[id, Properties[property]]] : [];
    }),
  );
}

function templateIn(region: string | undefined, settings = typedSettings(fixtureSettings())): Template {
  const env = region ? { account: '123456789012', region } : {};
  return Template.fromStack(buildStack(settings, { env }).stack);
}

describe('the same stack in a second region of the account', () => {
  it('names nothing account-wide as in the first: only the chat configurations have names, with the region', () => {
    const first = accountWideNames(templateIn('eu-west-1'));
    const second = accountWideNames(templateIn('us-east-1'));
    expect(Object.keys(first).sort()).toEqual([
      expect.stringMatching(/^ChatSlack1/),
      expect.stringMatching(/^ChatTeams1/),
    ]);
    for (const [id, name] of Object.entries(first)) {
      expect(second[id]).toBeDefined();
      expect(second[id]).not.toEqual(name);
      expect(name).toMatch(NAME);
      expect(name).toContain('-eu-west-1-');
    }
  });

  it("takes the region from CloudFormation when the stack's environment is unknown, as `cdk synth` builds it", () => {
    const names = Object.values(accountWideNames(templateIn(undefined)));
    expect(names).toContainEqual({
      'Fn::Join': ['', ['ReplicaAlerts-', { Ref: 'AWS::Region' }, '-slack-1']],
    });
  });

  it('keeps the names within 128 characters for the longest stack name the settings allow, in any region', () => {
    const longest = 'R'.repeat(64);
    expect(() => typedSettings({ ...fixtureSettings(), stackName: `${longest}R` })).toThrow(/stackName/);
    const settings = typedSettings({ ...fixtureSettings(), stackName: longest });
    for (const name of Object.values(accountWideNames(templateIn('ap-southeast-5', settings)))) {
      expect(name).toMatch(NAME);
    }
    for (const name of Object.values(accountWideNames(templateIn(undefined, settings)))) {
      const [, parts] = (name as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      const literal = parts.filter((part): part is string => typeof part === 'string').join('');
      expect(literal).toMatch(new RegExp(`^${longest}--(slack|teams)-1$`));
      expect(literal.length + 'ap-southeast-5'.length).toBeLessThanOrEqual(128);
    }
  });
});
