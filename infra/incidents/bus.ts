// Every event of the `events` topic onto an EventBridge bus with no code of ours in the path. SNS cannot target a
// bus, so an SQS queue subscribes to the topic (raw delivery: the message body is the event JSON) and an
// EventBridge Pipe moves each message to the bus.

import { Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letters.ts';

/** `source` of every event the pipe puts on the bus. */
export const EVENT_SOURCE = 'replica-alerts';
/** `detail-type` of every event the pipe puts on the bus. */
export const DETAIL_TYPE = 'Replica alert';
/** The key of `detail` that holds the JSON event (docs/events.md): why there is one, see PIPE_TEMPLATE. */
export const DETAIL_KEY = 'alert';

/**
 * The bus event's `detail`. A template is needed: without one the detail is the whole SQS record, whose `body` is
 * the event as a string that no rule can match on. Pipes parses a JSON body for input templates, so `<$.body>`
 * reaches the event's fields ("Implicit body data parsing",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html#input-transform-implicit),
 * but the same section says that a template of `<$.body>` alone delivers a JSON body with its quotes removed
 * (`{"key": "value"}` becomes `"{key: value}"`) and to wrap it in JSON instead: an object or array placed as a
 * field's value keeps its JSON ("do not put quotes around variables that refer to JSON objects or arrays"). So the
 * event, unchanged and with any field a later version adds, is `detail.alert`.
 */
export const PIPE_TEMPLATE = `{"${DETAIL_KEY}": <$.body>}`;

/**
 * Receives before a message goes to the dead-letter queue: the pipe retries a failed PutEvents by letting the
 * message come back; a few tries ride out a throttle, and a message that can never be put (too large, say) stops.
 */
const MAX_RECEIVES = 5;

export interface EventsToBusProps {
  topic: ITopic;
  bus: IEventBus;
}

export class EventsToBus extends Construct {
  /** Messages the pipe could not put on the bus. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: EventsToBusProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    // SSE-SQS: SNS delivers to it without a key grant (SNS decrypts the topic's own CMK-encrypted messages itself).
    const queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVES },
    });
    props.topic.addSubscription(new SqsSubscription(queue, { rawMessageDelivery: true }));
    new CfnPipe(this, 'Pipe', {
      description: 'replica-alerts: every event of the events topic onto the alerts bus',
      roleArn: this.pipeRole(queue, props.bus).roleArn,
      source: queue.queueArn,
      // One message per PutEvents: a call takes at most 256 KB, and one event may be 240 KB (docs/events.md).
      sourceParameters: { sqsQueueParameters: { batchSize: 1 } },
      target: props.bus.eventBusArn,
      targetParameters: {
        inputTemplate: PIPE_TEMPLATE,
        eventBridgeEventBusParameters: { source: EVENT_SOURCE, detailType: DETAIL_TYPE },
      },
    });
  }

  /** Reads this queue, puts on this bus, nothing else; only this account's pipes may assume it. */
  private pipeRole(queue: Queue, bus: IEventBus): Role {
    return new Role(this, 'PipeRole', {
      description: 'replica-alerts: the pipe from the events queue to the alerts bus',
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      // Inline: the permissions exist before CloudFormation creates the pipe, which starts polling at once.
      inlinePolicies: {
        Pipe: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
              resources: [queue.queueArn],
            }),
            new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
          ],
        }),
      },
    });
  }
}
