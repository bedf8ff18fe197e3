// The replica-alerts stack: the scheduled poller, its state table, the four channel topics with their subscribers,
// the EM secrets, and the alarms that watch the poller itself. Every resource is tagged.

import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_SETTINGS } from '../functions/alerts/settings.ts';
import { AlertSubscriptions } from './alerts/subscriptions.ts';
import { AlertTopics } from './alerts/topics.ts';
import { ChatChannels } from './chat/channels.ts';
import { Incidents } from './incidents/index.ts';
import { pollerEnvironment } from './poller/environment.ts';
import { Poller } from './poller/poller.ts';
import { PollSchedules, pollConcurrency } from './poller/schedules.ts';
import { EmSecrets, SECRET_SHAPE } from './secrets/em-secrets.ts';
import type { StackSettings } from './settings/types.ts';
import { StateTable } from './state/table.ts';
import { Watchdog } from './watchdog/alarms.ts';

/** On every resource; the settings' tags may not override it. */
const PROJECT_TAG = { project: 'replica-alerts' };

export interface ReplicaAlertsStackProps extends StackProps {
  settings: StackSettings;
  /** The poller's handler module (functions/poller/handler.ts). */
  pollerEntry: string;
  lockFile: string;
}

export class ReplicaAlertsStack extends Stack {
  constructor(scope: Construct, id: string, props: ReplicaAlertsStackProps) {
    const tags = { ...props.settings.tags, ...PROJECT_TAG };
    // Stack tags (CloudFormation also puts them on what it creates) and, in the template, on each resource that
    // takes tags: with @aws-cdk/core:explicitStackTags (cdk.json), Tags.of(stack) no longer sets the stack's own.
    super(scope, id, { ...props, tags: { ...props.tags, ...tags } });
    for (const [key, value] of Object.entries(tags)) Tags.of(this).add(key, value);
    const { settings } = props;
    const ems = settings.enterpriseManagers;
    const topics = new AlertTopics(this, 'Topics', { stackName: settings.stackName });
    const state = new StateTable(this, 'State', settings.stateTableName);
    const secrets = new EmSecrets(this, 'EmSecrets', { ems, stackName: settings.stackName });
    const poller = new Poller(this, 'Poller', {
      entry: props.pollerEntry,
      lockFile: props.lockFile,
      environment: pollerEnvironment({
        tableName: state.table.tableName,
        topicArns: {
          email: topics.channels.email.topicArn,
          sms: topics.channels.sms.topicArn,
          chat: topics.channels.chat.topicArn,
          events: topics.channels.events.topicArn,
        },
        ems: ems.map((em) => ({ ...em, secretArn: secrets.arnOf(em.name) })),
        alerting: settings.alerting,
      }),
      logRetention: settings.logRetentionDays,
      concurrency: pollConcurrency(ems.length, settings.schedule.maxEmsPerInvocation),
      network: settings.network && { settings: settings.network, ems },
    });
    state.grantStore(poller.role);
    secrets.grantRead(poller.role);
    topics.grantPublish(poller.role);
    new PollSchedules(this, 'Schedules', {
      fn: poller.fn,
      emNames: ems.map((em) => em.name),
      ...settings.schedule,
      digest: settings.digest && {
        at: settings.digest.at,
        timeZone: settings.alerting.timeZone ?? DEFAULT_SETTINGS.timeZone,
      },
      deadLetters: poller.deadLetters,
    });
    // Before the watchdog, which alarms on its dead-letter queues along with the rest.
    const incidents = new Incidents(this, 'Incidents', { eventsTopic: topics.channels.events, settings });
    const watchdog = new Watchdog(this, 'Watchdog', {
      poller,
      topics,
      stackName: settings.stackName,
      everyMinutes: settings.schedule.everyMinutes,
      incidentDeadLetters: incidents.deadLetters,
    });
    new AlertSubscriptions(this, 'Subscriptions', { topics, settings: settings.subscriptions });
    new ChatChannels(this, 'Chat', {
      topic: topics.channels.chat,
      ...settings.subscriptions,
      alarms: watchdog.alarms,
      stackName: settings.stackName,
    });
    this.outputs(topics, state, secrets, poller);
  }

  private outputs(topics: AlertTopics, state: StateTable, secrets: EmSecrets, poller: Poller): void {
    for (const [channel, topic] of Object.entries(topics.channels)) {
      new CfnOutput(this, `${channel}TopicArn`, {
        value: topic.topicArn,
        description: `SNS topic: ${channel}`,
      });
    }
    new CfnOutput(this, 'StateTableName', { value: state.table.tableName });
    new CfnOutput(this, 'TopicsKeyArn', {
      value: topics.key.keyArn,
      description: 'KMS key of the topics (kept when the stack is removed)',
    });
    new CfnOutput(this, 'PollerFunctionName', { value: poller.fn.functionName });
    new CfnOutput(this, 'PollerLogGroupName', { value: poller.logGroup.logGroupName });
    // For key policies of customer-managed keys the admin's existing secrets or queues use.
    new CfnOutput(this, 'PollerRoleArn', { value: poller.role.roleArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: poller.deadLetters.queueUrl });
    secrets.secrets.forEach(({ em, secretArn, created }, i) => {
      new CfnOutput(this, `EmSecret${i + 1}`, {
        value: secretArn,
        description: created
          ? `Empty secret for EM ${em}: fill it with ${SECRET_SHAPE}`
          : `Secret for EM ${em} (given in the settings)`,
      });
    });
  }
}
