// Slack and Microsoft Teams channels through AWS Chatbot, subscribed to the chat topic. Chatbot's default guardrail
// is AdministratorAccess for anyone in the channel; ours lets the channel do no more than read this stack's
// alarms, and its role has no permissions at all (notifications need none). A channel takes one Chatbot
// configuration per account: for a channel configured elsewhere (existingConfiguration) the stack creates none and
// outputs the chat topic for the admin to add to that configuration (docs/deploy.md).

import { CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnMicrosoftTeamsChannelConfiguration, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SlackChannel, TeamsChannel } from '../settings/types.ts';

export interface ChatChannelsProps {
  topic: ITopic;
  slack: SlackChannel[];
  teams: TeamsChannel[];
  alarms: IAlarm[];
  stackName: string;
}

export class ChatChannels extends Construct {
  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    const existing = [...props.slack, ...props.teams].filter((channel) => channel.existingConfiguration);
    if (existing.length) this.outputForExisting(props.topic, existing.length);
    if (existing.length === props.slack.length + props.teams.length) return;
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
      description: 'AWS Chatbot channels of replica-alerts: notifications only, no permissions',
    });
    const guardrail = new ManagedPolicy(this, 'Guardrail', {
      description: 'Most a replica-alerts chat channel may do: read the poller alarms',
      statements: [
        new PolicyStatement({
          actions: ['cloudwatch:DescribeAlarms'],
          resources: props.alarms.map((alarm) => alarm.alarmArn),
        }),
      ],
    });
    // Numbered by their place in the settings, so marking one channel existing renames no other.
    props.slack.forEach((channel, i) => {
      if (channel.existingConfiguration) return;
      new SlackChannelConfiguration(this, `Slack${i + 1}`, {
        slackChannelConfigurationName: this.configurationName(props.stackName, `slack-${i + 1}`),
        slackWorkspaceId: channel.workspaceId,
        slackChannelId: channel.channelId,
        notificationTopics: [props.topic],
        role,
        guardrailPolicies: [guardrail],
      });
    });
    props.teams.forEach((channel, i) => {
      if (channel.existingConfiguration) return;
      new CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i + 1}`, {
        configurationName: this.configurationName(props.stackName, `teams-${i + 1}`),
        teamsTenantId: channel.tenantId,
        teamId: channel.teamId,
        teamsChannelId: channel.channelId,
        iamRoleArn: role.roleArn,
        snsTopicArns: [props.topic.topicArn],
        guardrailPolicies: [guardrail.managedPolicyArn],
      });
    });
  }

  /**
   * Configuration names are unique in the account, across regions: with the region in it, the same stack in two
   * regions does not collide. An environment-agnostic stack's region is a token, resolved by CloudFormation.
   * Chatbot takes 1-128 letters, digits, `-` or `_`: the longest stack name the settings allow (64 characters), a
   * region (at most 14) and the suffix stay well below that.
   */
  private configurationName(stackName: string, suffix: string): string {
    return `${stackName}-${Stack.of(this).region}-${suffix}`;
  }

  private outputForExisting(topic: ITopic, count: number): void {
    new CfnOutput(Stack.of(this), 'ChatTopicArnForExistingConfiguration', {
      value: topic.topicArn,
      description:
        `Add this SNS topic to the AWS Chatbot configuration of the ${count} chat channel(s) marked ` +
        'existingConfiguration: the update replaces the topic list, so repeat the topics it has. Commands: ' +
        'docs/deploy.md, step 4, "Chat channels configured elsewhere".',
    });
  }
}
