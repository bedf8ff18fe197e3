// One SNS topic per channel, all four always created (an idle topic costs nothing and admins may subscribe later),
// plus a fifth for the poller's heartbeat alarm to SMS numbers (see HEARTBEAT_SMS). Every topic is encrypted with
// one customer-managed key whose policy lets the publishers use it, and refuses non-TLS requests. Besides the
// poller, the stack's alarms and the account's EventBridge rules may publish to the people channels (e-mail, chat).
// Deliveries to HTTPS, SQS and Lambda subscribers are logged (delivery-status.ts).

import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CHANNELS, type Channel } from '../../functions/messages/types.ts';
import { DeliveryStatusLogging } from './delivery-status.ts';

/**
 * CloudWatch alarms publish without message attributes, and SNS never delivers an attribute-less message to a
 * subscription with a filter policy. SMS subscriptions are filtered by default (alertSeverity=Failed), so each number
 * is also subscribed, unfiltered, to this topic, where only the heartbeat alarm publishes.
 */
export const HEARTBEAT_SMS = 'heartbeat-sms';

/** AWS services that publish to the topics besides the poller: the stack's alarms, and EventBridge rules admins add. */
const SERVICE_PUBLISHERS = ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];

/** The channels people read: alarms and EventBridge rules go there, never to SMS (costly) or events (a contract). */
const PEOPLE: Channel[] = ['email', 'chat'];

export class AlertTopics extends Construct {
  readonly key: Key;
  readonly channels: Record<Channel, Topic>;
  /** The e-mail and chat topics. */
  readonly people: Topic[];
  readonly heartbeatSms: Topic;
  /** Every topic by name: the channels and HEARTBEAT_SMS. */
  readonly all: Record<string, Topic>;
  /** Topics whose alarms allowAlarms has let in. */
  private readonly alarmsAllowed = new Set<Topic>();

  constructor(scope: Construct, id: string, props: { stackName: string }) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the replica-alerts SNS topics',
      enableKeyRotation: true,
    });
    // Aliases are regional, like the key. The key is kept when the stack goes (RETAIN, its default), the alias is
    // not: a redeploy creates a new key under the same alias name, which a kept alias would block.
    new Alias(this, 'KeyAlias', {
      aliasName: `alias/${props.stackName}-alerts`,
      targetKey: this.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // SNS calls KMS on the publisher's behalf, so service publishers need the key policy (IAM grants only reach
    // roles); the topic policies say which alarms and rules may publish. No aws:SourceAccount or aws:SourceArn
    // condition here: AWS documents this statement without one, and whether KMS sees those keys for these
    // publishers is unsettled (a condition KMS never sees would silently drop every alarm). docs/deploy.md, "Security
    // notes".
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAwsServicePublishers',
        principals: SERVICE_PUBLISHERS.map((service) => new ServicePrincipal(service)),
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    const logging = new DeliveryStatusLogging(this, 'DeliveryStatus');
    const topic = (name: string) => {
      const created = new Topic(this, name, {
        displayName: name === 'email' ? 'Replica alerts' : undefined,
        masterKey: this.key,
        enforceSSL: true,
        // SHA256 signatures for HTTPS subscribers that verify messages.
        signatureVersion: '2',
      });
      logging.enable(name, created);
      return created;
    };
    this.channels = Object.fromEntries(CHANNELS.map((channel) => [channel, topic(channel)])) as Record<
      Channel,
      Topic
    >;
    this.heartbeatSms = topic(HEARTBEAT_SMS);
    this.all = { ...this.channels, [HEARTBEAT_SMS]: this.heartbeatSms };
    this.people = PEOPLE.map((channel) => this.channels[channel]);
    for (const target of this.people) this.allowEventRules(target);
  }

  /** Lets the role publish to every channel topic (and use the key to encrypt what it publishes). */
  grantPublish(role: IRole): void {
    for (const topic of Object.values(this.channels)) topic.grantPublish(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'SNS server-side encryption needs the GenerateDataKey* family (as AWS documents for SNS publishers); ' +
        'the statement is limited to the one key of these topics.',
    });
  }

  /**
   * Lets these alarms publish to the topic. The topic policy (which enforceSSL creates) replaces SNS's default
   * one that let the account's services in, so each AWS service publisher needs its own statement. Once per
   * topic, with all its alarms: a second statement of the same Sid would make SNS refuse the policy.
   */
  allowAlarms(topic: Topic, alarms: IAlarm[]): void {
    if (this.alarmsAllowed.has(topic)) {
      throw new Error(`The alarms of topic ${topic.node.path} are already allowed: give them all at once.`);
    }
    this.alarmsAllowed.add(topic);
    this.allowService(topic, 'AllowStackAlarms', 'cloudwatch.amazonaws.com', {
      ArnEquals: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
    });
  }

  /** Lets this account's EventBridge rules in this region publish (AWS Health or Backup events in the chat, say). */
  private allowEventRules(topic: Topic): void {
    const rules = Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: '*' });
    this.allowService(topic, 'AllowAccountEventRules', 'events.amazonaws.com', {
      ArnLike: { 'aws:SourceArn': rules },
    });
  }

  /** A topic policy statement for one AWS service, on behalf of this account's sources matching `source`. */
  private allowService(topic: Topic, sid: string, service: string, source: Record<string, unknown>): void {
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid,
        principals: [new ServicePrincipal(service)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ...source, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
