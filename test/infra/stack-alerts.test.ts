// Alert delivery: the encrypted channel topics, subscriptions from the settings, and the chat channels.

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { AlertTopics } from '../../infra/alerts/topics.ts';
import type { Watchdog } from '../../infra/watchdog/alarms.ts';
import { normalStatement, type Statement } from './fixtures/policy.ts';
import {
  buildStack,
  constructName,
  fixtureSettings,
  minimalSettings,
  onlyResource,
  synthBeforeAll,
  synthTemplate,
  typedSettings,
} from './fixtures/stack.ts';

const topicRef = (channel: string) => ({ Ref: Match.stringLikeRegexp(`^Topics${channel}[0-9A-F]{8}$`) });

interface PolicyStatement {
  Sid?: string;
  Principal?: { Service?: string };
  Condition: Record<string, Record<string, unknown>>;
}

/** Each topic (by construct name) whose policy lets this AWS service publish, with that statement. */
function servicePublishers(template: Template, service: string) {
  return Object.values(template.findResources('AWS::SNS::TopicPolicy')).flatMap((policy) => {
    const statements: PolicyStatement[] = policy.Properties.PolicyDocument.Statement;
    const statement = statements.find((s) => s.Principal?.Service === service);
    const topic = constructName(policy.Properties.Topics[0].Ref);
    return statement ? [{ topic, statement }] : [];
  });
}

describe('the topics', () => {
  const template = synthBeforeAll(minimalSettings());

  it('exist for every channel even without subscriptions, plus the heartbeat SMS topic', () => {
    const ids = Object.keys(template().findResources('AWS::SNS::Topic'));
    expect(ids.map(constructName).sort()).toEqual(
      ['Topicschat', 'Topicsemail', 'Topicsevents', 'Topicsheartbeatsms', 'Topicssms'].sort(),
    );
    template().resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('are all encrypted with one customer-managed key that rotates and is kept (docs/deploy.md, "Updating and removing")', () => {
    template().resourceCountIs('AWS::KMS::Key', 1);
    template().hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    for (const topic of Object.values(template().findResources('AWS::SNS::Topic'))) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^TopicsKey/), 'Arn'],
      });
      expect(topic.Properties.SignatureVersion).toBe('2');
    }
    // The deploy guide names these outputs (queue policies need eventsTopicArn).
    for (const channel of ['email', 'sms', 'chat', 'events']) {
      template().hasOutput(`${channel}TopicArn`, { Value: topicRef(channel) });
    }
    template().hasOutput('TopicsKeyArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TopicsKey'), 'Arn'] },
    });
  });

  it('name the key with a regional alias that goes with the stack, so a redeploy can take the name again', () => {
    template().hasResource('AWS::KMS::Alias', {
      Properties: {
        AliasName: 'alias/ReplicaAlerts-alerts',
        TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TopicsKey[0-9A-F]{8}$'), 'Arn'] },
      },
      DeletionPolicy: 'Delete',
    });
  });

  it('log the delivery status of the protocols SNS logs per topic: HTTPS for chat, HTTPS, SQS and Lambda for events', () => {
    const logged = Object.fromEntries(
      Object.entries(template().findResources('AWS::SNS::Topic')).map(([id, topic]) => [
        constructName(id),
        // biome-ignore lint/suspicious/noExplicitAny: template JSON.
        (topic.Properties.DeliveryStatusLogging ?? []).map((config: any) => config.Protocol),
      ]),
    );
    expect(logged).toEqual({
      Topicsemail: [],
      Topicssms: [],
      Topicschat: ['http/s'],
      Topicsevents: ['http/s', 'sqs', 'lambda'],
      Topicsheartbeatsms: [],
    });
    const role = { 'Fn::GetAtt': [Match.stringLikeRegexp('^TopicsDeliveryStatusRole'), 'Arn'] };
    template().hasResourceProperties('AWS::SNS::Topic', {
      DeliveryStatusLogging: Match.arrayWith([
        {
          Protocol: 'lambda',
          SuccessFeedbackRoleArn: role,
          FailureFeedbackRoleArn: role,
          SuccessFeedbackSampleRate: '100',
        },
      ]),
    });
  });

  it("let SNS write only the logged topics' log groups", () => {
    const policy = onlyResource(template(), 'AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TopicsDeliveryStatusRole') }],
    });
    const resources = JSON.stringify(
      // biome-ignore lint/suspicious/noExplicitAny: template JSON.
      policy.PolicyDocument.Statement.map((statement: any) => statement.Resource),
    );
    expect(resources.match(/:log-group:sns\/eu-west-1\/123456789012\//g)).toHaveLength(2);
    expect(resources.match(/"Topics(chat|events)[0-9A-F]{8}","TopicName"\]\},"\*"/g)).toHaveLength(2);
    template().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'sns.amazonaws.com' } })],
      }),
    });
  });

  it('let CloudWatch and EventBridge use the key, to publish alarms and events', () => {
    const statements = Object.values(template().findResources('AWS::KMS::Key')).flatMap(
      (key) => key.Properties.KeyPolicy.Statement as Statement[],
    );
    // Actions and principals in any order (cdk.json's minimizePolicies sorts them).
    expect(statements.map(normalStatement)).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: expect.objectContaining({ Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] }),
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('deny publishing without TLS', () => {
    const policies = Object.values(template().findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(5);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('never let alarms publish to the events or sms topic', () => {
    const publishers = servicePublishers(template(), 'cloudwatch.amazonaws.com');
    expect(publishers.map(({ topic }) => topic).sort()).toEqual([
      'Topicschat',
      'Topicsemail',
      'Topicsheartbeatsms',
    ]);
  });

  it("let this account's EventBridge rules publish to the e-mail and chat topics only", () => {
    const publishers = servicePublishers(template(), 'events.amazonaws.com');
    expect(publishers.map(({ topic }) => topic).sort()).toEqual(['Topicschat', 'Topicsemail']);
    for (const { statement } of publishers) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        // A literal partition: the stack's region is known (cdk.json's enablePartitionLiterals).
        ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/*' },
      });
    }
  });
});

/** The alarms (as `Fn::GetAtt` ARNs) whose actions notify each topic, by the topic's logical ID. */
function alarmsNotifying(template: Template): Map<string, unknown[]> {
  const notified = new Map<string, unknown[]>();
  for (const [id, alarm] of Object.entries(template.findResources('AWS::CloudWatch::Alarm'))) {
    const { AlarmActions = [], OKActions = [] } = alarm.Properties as Record<string, { Ref: string }[]>;
    for (const topic of new Set([...AlarmActions, ...OKActions].map((action) => action.Ref))) {
      notified.set(topic, [...(notified.get(topic) ?? []), { 'Fn::GetAtt': [id, 'Arn'] }]);
    }
  }
  return notified;
}

const byText = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

describe.each([
  ['without incident tools', minimalSettings()],
  [
    'with PagerDuty (and so the bus), whose dead-letter alarms come on top',
    {
      ...minimalSettings(),
      pagerDuty: {
        routingKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf',
      },
    },
  ],
])('the topic policies, %s', (_what, settings) => {
  const template = synthBeforeAll(settings);

  it('let exactly the alarms that notify a topic publish to it: each of them, and no other', () => {
    const notified = alarmsNotifying(template());
    const allowed = new Map<string, unknown[]>();
    for (const policy of Object.values(template().findResources('AWS::SNS::TopicPolicy'))) {
      const statements: PolicyStatement[] = policy.Properties.PolicyDocument.Statement;
      const alarms = statements.filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
      // One statement per topic: SNS refuses a policy with two statements of the same Sid.
      expect(alarms.map((statement) => statement.Sid)).toEqual(alarms.length ? ['AllowStackAlarms'] : []);
      const [statement] = alarms;
      if (!statement) continue;
      expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
      const arns = statement.Condition.ArnEquals?.['aws:SourceArn'];
      allowed.set(policy.Properties.Topics[0].Ref, [arns].flat().sort(byText));
    }
    expect([...allowed.keys()].sort()).toEqual([...notified.keys()].sort());
    for (const [topic, alarms] of notified) {
      expect(allowed.get(topic), constructName(topic)).toEqual(alarms.sort(byText));
    }
  });

  it('refuse a second grant to a topic: its alarms are allowed once, all together', () => {
    const { stack } = buildStack(typedSettings(settings));
    const topics = stack.node.findChild('Topics') as AlertTopics;
    const watchdog = stack.node.findChild('Watchdog') as Watchdog;
    expect(() => topics.allowAlarms(topics.channels.email, watchdog.alarms)).toThrow(
      /alarms of topic Test\/Topics\/email are already allowed/,
    );
  });
});

describe('the subscriptions', () => {
  const settings = fixtureSettings();
  settings.subscriptions.sms.push({ endpoint: '+15555550199', filterPolicy: null });
  const template = synthBeforeAll(settings);

  it('send e-mail to each address, with its filter policy if it has one', () => {
    template().hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topicRef('email'),
      FilterPolicy: Match.absent(),
    });
    template().hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'cio@example.com',
      TopicArn: topicRef('email'),
      FilterPolicy: { severity: ['Failed'] },
    });
  });

  it('texts only Failed alerts and their all-clear by default, everything when the filter is null', () => {
    template().hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+15555550123',
      TopicArn: topicRef('sms'),
      FilterPolicy: { alertSeverity: ['Failed'] },
    });
    template().hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+15555550199',
      TopicArn: topicRef('sms'),
      FilterPolicy: Match.absent(),
    });
  });

  it('also subscribe every SMS number, unfiltered, to the heartbeat topic', () => {
    for (const number of ['+15555550123', '+15555550199']) {
      template().hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sms',
        Endpoint: number,
        TopicArn: topicRef('heartbeatsms'),
        FilterPolicy: Match.absent(),
      });
    }
  });

  it('give webhooks, queues (raw) and functions the events topic', () => {
    for (const subscription of [
      { Protocol: 'https', Endpoint: 'https://hooks.example.com/veeam' },
      {
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:eu-west-1:123456789012:replica-events',
        RawMessageDelivery: true,
      },
      { Protocol: 'lambda', Endpoint: 'arn:aws:lambda:eu-west-1:123456789012:function:on-replica-event' },
    ]) {
      template().hasResourceProperties('AWS::SNS::Subscription', {
        ...subscription,
        TopicArn: topicRef('events'),
      });
    }
    template().hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:on-replica-event',
      Principal: 'sns.amazonaws.com',
      SourceArn: topicRef('events'),
    });
  });
});

describe('the chat channels', () => {
  // With PagerDuty: its dead-letter alarms are the stack's alarms too, and the guardrail must name them.
  const template = synthBeforeAll({
    ...fixtureSettings(),
    pagerDuty: {
      routingKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf',
    },
  });

  it('connect Slack to the chat topic with the narrow guardrail, never AdministratorAccess', () => {
    template().hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'ReplicaAlerts-eu-west-1-slack-1',
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [topicRef('chat')],
      GuardrailPolicies: [{ Ref: Match.stringLikeRegexp('^ChatGuardrail') }],
    });
    expect(JSON.stringify(template().toJSON())).not.toContain('AdministratorAccess');
  });

  it('connect Teams through the L1 construct, with the channel ID URL-encoded', () => {
    template().hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      ConfigurationName: 'ReplicaAlerts-eu-west-1-teams-1',
      TeamsTenantId: '11111111-2222-3333-4444-555555555555',
      TeamId: '66666666-7777-8888-9999-000000000000',
      TeamsChannelId: '19%3Aabc123%40thread.tacv2',
      SnsTopicArns: [topicRef('chat')],
      GuardrailPolicies: [{ Ref: Match.stringLikeRegexp('^ChatGuardrail') }],
      IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatRole'), 'Arn'] },
    });
  });

  it("allow the channel no more than reading this stack's alarms, and give its role nothing", () => {
    const statements = onlyResource(template(), 'AWS::IAM::ManagedPolicy').PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('cloudwatch:DescribeAlarms');
    const alarms = Object.keys(template().findResources('AWS::CloudWatch::Alarm'));
    expect(statements[0].Resource).toHaveLength(alarms.length);
    template().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
  });

  it('are not created when no chat channel is configured', () => {
    const minimal = synthTemplate(minimalSettings());
    minimal.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    minimal.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
    minimal.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });
});
