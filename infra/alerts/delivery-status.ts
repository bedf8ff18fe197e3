// SNS delivery-status logging: SNS writes what became of each delivery to an HTTPS, SQS or Lambda subscriber
// (the endpoint's answer, how long the message waited) to CloudWatch Logs, so a webhook that refuses our events or
// a Chatbot delivery that fails leaves a trace beside the delivery-failure alarms (infra/watchdog). E-mail has no
// delivery-status logging, and SMS's is an account-wide setting a stack must not change (docs/deploy.md).

import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LoggingProtocol, type Topic } from 'aws-cdk-lib/aws-sns';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';

/** The protocols each topic delivers to, of those SNS logs per topic: Chatbot subscribes over HTTPS. */
const LOGGED_PROTOCOLS: Record<string, LoggingProtocol[]> = {
  chat: [LoggingProtocol.HTTP],
  events: [LoggingProtocol.HTTP, LoggingProtocol.SQS, LoggingProtocol.LAMBDA],
};

/** Alerts are a few messages a day: every successful delivery is logged too, as proof it arrived. */
const SUCCESS_SAMPLE_PERCENT = 100;

export class DeliveryStatusLogging extends Construct {
  private readonly role: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // No aws:SourceArn condition on the trust: whether SNS sets it when it assumes a feedback role is not
    // documented, and a condition it never meets would silently stop the logging. Only principals of this
    // account allowed to pass this role can name it on a topic.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com'),
      description: 'SNS writes the delivery status of the replica-alerts topics to CloudWatch Logs',
    });
  }

  /** Logs the deliveries of the channel's topic, if SNS can for its protocols; lets SNS write its log groups. */
  enable(channel: string, topic: Topic): void {
    const protocols = LOGGED_PROTOCOLS[channel];
    if (!protocols) return;
    for (const protocol of protocols) {
      topic.addLoggingConfig({
        protocol,
        successFeedbackRole: this.role,
        failureFeedbackRole: this.role,
        successFeedbackSampleRate: SUCCESS_SAMPLE_PERCENT,
      });
    }
    this.allowLogGroups(topic);
  }

  /**
   * SNS creates and writes log groups named `sns/<region>/<account>/<topic name>` (AWS documents that name and
   * these actions), and more under that prefix for failures: the trailing wildcard covers them and their streams.
   */
  private allowLogGroups(topic: Topic): void {
    const stack = Stack.of(this);
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `sns/${stack.region}/${stack.account}/${topic.topicName}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroups],
      }),
    );
    // The finding names the resource as cdk-nag prints it, which depends on what is known at synth time.
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(logGroups))}]`,
      reason:
        'SNS names the delivery-status log groups after the topic and adds streams (and a failure group) under ' +
        "that name: only this topic's log groups, written by SNS alone.",
    });
  }
}
