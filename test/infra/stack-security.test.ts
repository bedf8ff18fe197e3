// State, secrets and least privilege: the table's protection, the EM secrets, and every IAM statement.

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../functions/state/local.ts';
import { grants, resourceText } from './fixtures/policy.ts';
import {
  fixtureSettings,
  minimalSettings,
  onlyResource,
  synthBeforeAll,
  synthTemplate,
} from './fixtures/stack.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The Allow statements of every IAM policy in the stack, inline and managed. */
function allows(template: Template): Statement[] {
  return ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']
    .flatMap((type) => Object.values(template.findResources(type)))
    .flatMap((resource) => resource.Properties.PolicyDocument.Statement as Statement[])
    .filter((statement) => statement.Effect === 'Allow');
}

/** The statements of the one policy of a role, by the role's construct path. */
function roleStatements(template: Template, role: string): Statement[] {
  return onlyResource(template, 'AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] })
    .PolicyDocument.Statement;
}

const pollerStatements = (template: Template) => roleStatements(template, 'PollerRole');

describe('the state table', () => {
  const template = synthBeforeAll(minimalSettings());

  it('has the keys and TTL attribute the runtime uses, on demand', () => {
    template().hasResourceProperties('AWS::DynamoDB::Table', {
      ...TABLE_KEYS,
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is encrypted, recoverable, protected from deletion and kept when the stack goes', () => {
    template().hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('a kept state table', () => {
  it('is used by name instead of a new one, and the poller may use only it', () => {
    const name = 'ReplicaAlerts-StateTable962DE04C-1A2B3C4D5E6F';
    const template = synthTemplate({ ...minimalSettings(), stateTableName: name });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(onlyResource(template, 'AWS::Lambda::Function').Environment.Variables.TABLE_NAME).toBe(name);
    const store = pollerStatements(template).find((s) => String(s.Action).includes('dynamodb:'));
    expect(resourceText(store?.Resource)).toBe(`arn:aws:dynamodb:eu-west-1:123456789012:table/${name}`);
  });
});

describe('the EM secrets', () => {
  const settings = fixtureSettings();
  settings.enterpriseManagers.push({
    name: 'em-lab',
    url: 'https://em-lab.example.com:9398/api/',
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:veeam/em-lab',
  });
  const template = synthBeforeAll(settings);

  it('are created empty, named after the stack and EM, only for EMs without a secret ARN', () => {
    template().resourceCountIs('AWS::SecretsManager::Secret', 1);
    template().hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'ReplicaAlerts/em/em-prod',
      Description: Match.stringLikeRegexp('"username": "DOMAIN\\\\\\\\user", "password": "...", "caCert"'),
      SecretString: Match.absent(),
      GenerateSecretString: Match.absent(),
    });
  });

  it('are the only secrets the poller may read, and only their value', () => {
    const reads = grants(pollerStatements(template())).filter((g) => g.action.startsWith('secretsmanager:'));
    const read = (resource: string) => ({
      effect: 'Allow',
      action: 'secretsmanager:GetSecretValue',
      resource,
    });
    expect(reads).toEqual([
      // The secret the stack creates (its Ref is its ARN).
      read('<EmSecretsemprod>'),
      read('arn:aws:secretsmanager:eu-west-1:123456789012:secret:veeam/em-dr-AbCdEf'),
      // A partial ARN only matches with Secrets Manager's 6-character suffix.
      read('arn:aws:secretsmanager:eu-west-1:123456789012:secret:veeam/em-lab-??????'),
    ]);
  });

  it('never put a secret value in the template', () => {
    const text = JSON.stringify(template().toJSON());
    expect(text).not.toMatch(/SecretString|resolve:secretsmanager/);
  });
});

describe('the poller role', () => {
  const template = synthBeforeAll(fixtureSettings());

  it('has no managed policies outside a VPC', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it("may do exactly what the handler needs, each on this stack's resources", () => {
    const stateActions =
      'dynamodb:BatchGetItem,dynamodb:BatchWriteItem,dynamodb:DeleteItem,dynamodb:PutItem,dynamodb:Query,dynamodb:UpdateItem';
    const byAction = Object.fromEntries(
      pollerStatements(template()).map((s) => [[s.Action].flat().sort().join(','), s.Resource]),
    );
    expect(Object.keys(byAction).sort()).toEqual(
      [
        stateActions,
        'kms:Decrypt,kms:GenerateDataKey*',
        'logs:CreateLogStream,logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sns:Publish',
        'sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage',
      ].sort(),
    );
    expect(byAction[stateActions]).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^StateTable/), 'Arn'],
    });
    expect(byAction['kms:Decrypt,kms:GenerateDataKey*']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^TopicsKey/), 'Arn'],
    });
    expect(byAction['logs:CreateLogStream,logs:PutLogEvents']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^PollerLogs/), 'Arn'],
    });
    expect(byAction['sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^PollerDeadLetters/), 'Arn'],
    });
  });

  it('may publish to the four channel topics and nothing else', () => {
    const published = grants(pollerStatements(template()))
      .filter((g) => g.action === 'sns:Publish')
      .map((g) => g.resource);
    expect(published).toEqual(['<Topicschat>', '<Topicsemail>', '<Topicsevents>', '<Topicssms>']);
  });
});

describe('the poller role in a VPC', () => {
  const template = synthBeforeAll({
    ...minimalSettings(),
    network: {
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    },
  });

  it('lets Lambda manage the network interfaces, scoped wherever EC2 allows', () => {
    // Each action with the resources it is allowed on, however CDK orders or merges the statements.
    const ec2: Record<string, string[]> = {};
    for (const { action, resource } of grants(pollerStatements(template()))) {
      if (action.startsWith('ec2:')) ec2[action] = [...(ec2[action] ?? []), resource];
    }
    const at = 'arn:aws:ec2:eu-west-1:123456789012';
    const networkInterfaces = [`${at}:network-interface/*`];
    expect(ec2).toEqual({
      // EC2 authorises these two only on "*".
      'ec2:DescribeNetworkInterfaces': ['*'],
      'ec2:DescribeSubnets': ['*'],
      'ec2:CreateNetworkInterface': [
        // Any account's: a subnet shared from another account (a shared VPC) is in the owner's.
        'arn:aws:ec2:eu-west-1:*:subnet/subnet-0123456789abcdef0',
        'arn:aws:ec2:eu-west-1:*:subnet/subnet-0123456789abcdef1',
        `${at}:network-interface/*`,
        `${at}:security-group/<PollerSecurityGroup.GroupId>`,
      ],
      'ec2:AssignPrivateIpAddresses': networkInterfaces,
      'ec2:DeleteNetworkInterface': networkInterfaces,
      'ec2:UnassignPrivateIpAddresses': networkInterfaces,
    });
  });

  it('has no managed policy, and no statement in the stack allows a logs action on "*"', () => {
    for (const role of Object.values(template().findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const statement of allows(template())) {
      if (![statement.Resource].flat().includes('*')) continue;
      expect([statement.Action].flat()).toEqual(['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']);
    }
  });
});

describe('every IAM statement in the stack', () => {
  it('names specific resources: no Allow on "*"', () => {
    const template = synthTemplate(fixtureSettings());
    const statements = allows(template);
    expect(statements.length).toBeGreaterThan(5);
    for (const statement of statements) {
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
    }
  });

  it('lets the scheduler invoke only the poller and write only to its dead-letter queue', () => {
    const template = synthTemplate(minimalSettings());
    expect(roleStatements(template, 'SchedulerRoleForTarget')).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::GetAtt': [expect.stringMatching(/^PollerFunction/), 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^PollerFunction/), 'Arn'] }, ':*']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PollerDeadLetters/), 'Arn'] },
      },
    ]);
  });
});
