// Slack and Microsoft Teams channels through AWS Chatbot, subscribed to the chat topic. Chatbot's default guardrail
// is AdministratorAccess for anyone in the channel; ours lets the channel do no more than read this stack's
// alarms, and its role has no permissions at all (notifications need none).

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
    if (!props.slack.length && !props.teams.length) return;
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
    const name = (kind: string, i: number) => `${props.stackName}-${kind}-${i + 1}`;
    props.slack.forEach((channel, i) => {
      new SlackChannelConfiguration(this, `Slack${i + 1}`, {
        slackChannelConfigurationName: name('slack', i),
        slackWorkspaceId: channel.workspaceId,
        slackChannelId: channel.channelId,
        notificationTopics: [props.topic],
        role,
        guardrailPolicies: [guardrail],
      });
    });
    props.teams.forEach((channel, i) => {
      new CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i + 1}`, {
        configurationName: name('teams', i),
        teamsTenantId: channel.tenantId,
        teamId: channel.teamId,
        teamsChannelId: channel.channelId,
        iamRoleArn: role.roleArn,
        snsTopicArns: [props.topic.topicArn],
        guardrailPolicies: [guardrail.managedPolicyArn],
      });
    });
  }
}
