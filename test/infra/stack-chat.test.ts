// Chat channels whose Slack or Teams channel already has its one AWS Chatbot configuration in the account: the
// stack creates none for them and outputs the chat topic the admin adds to that configuration (docs/deploy.md).

import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { StackSettings } from '../../infra/settings/types.ts';
import { fixtureSettings, synthStackOf, typedSettings } from './fixtures/stack.ts';

const OUTPUT = 'ChatTopicArnForExistingConfiguration';

/** The fixture's settings (one Slack and one Teams channel), changed by the test. */
function synth(change: (settings: StackSettings) => void): Template {
  const settings = typedSettings(fixtureSettings());
  change(settings);
  return synthStackOf(settings).template;
}

function chatbotRoles(template: Template): string[] {
  return Object.keys(
    template.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })],
        }),
      },
    }),
  );
}

describe('chat channels configured elsewhere', () => {
  it('get no configuration, and no Chatbot role or guardrail when every channel is one', () => {
    const template = synth(({ subscriptions }) => {
      for (const channel of [...subscriptions.slack, ...subscriptions.teams])
        channel.existingConfiguration = true;
    });
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(chatbotRoles(template)).toEqual([]);
    template.hasOutput(OUTPUT, {
      Value: { Ref: Match.stringLikeRegexp('^Topicschat[0-9A-F]{8}$') },
      Description: Match.stringLikeRegexp('of the 2 chat channel\\(s\\).*repeat the topics.*docs/deploy.md'),
    });
  });

  it('leave the other channels their configuration, under the same IDs and names', () => {
    const template = synth(({ subscriptions }) => {
      subscriptions.slack = [
        { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', existingConfiguration: true },
        { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' },
      ];
    });
    const slack = Object.entries(template.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(slack).toHaveLength(1);
    expect(slack[0]?.[0]).toMatch(/^ChatSlack2[0-9A-F]{8}$/);
    expect(slack[0]?.[1].Properties).toMatchObject({
      ConfigurationName: 'ReplicaAlerts-eu-west-1-slack-2',
      SlackChannelId: 'C0456EFGH',
    });
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 1);
    expect(chatbotRoles(template)).toHaveLength(1);
    template.hasOutput(OUTPUT, { Description: Match.stringLikeRegexp('of the 1 chat channel') });
  });

  it('are not mentioned when the stack configures every channel', () => {
    const template = synth(() => {});
    expect(Object.keys(template.findOutputs(OUTPUT))).toEqual([]);
  });
});
