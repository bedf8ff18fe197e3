// The dead-letter queues of the incident path: what the pipe or an EventBridge rule could not deliver waits here
// for 14 days (SQS's longest) to be read and redriven, instead of being dropped.

import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A dead-letter queue, encrypted (SSE-SQS: EventBridge and SQS redrive need no key grant) and TLS-only. */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (of the events pipe, or of EventBridge rule targets); cdk-nag ' +
      "only recognises DLQs named in another queue's redrive policy.",
  });
  return queue;
}
