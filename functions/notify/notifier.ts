// Delivery of rendered messages: one SNS topic per channel, plain String messages with String attributes (SNS
// delivers attributes and applies filter policies only to those). The SDK's standard retry strategy retries
// throttling and 5xx with backoff; what still fails is thrown, and the poller retries it at the next poll.

import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';

/** One message for one channel, as the renderers produce it. */
export interface Publication {
  channel: string;
  subject?: string | undefined;
  message: string;
  attributes: Record<string, string>;
}

export interface Notifier {
  /** The channels this notifier delivers to; events are recorded as pending for exactly these. */
  readonly channels: string[];
  publish(publication: Publication): Promise<void>;
}

/** The SNS `Publish` input for a publication: the contract of `--output sns` and of the Lambda. */
export function publishInput(publication: Publication, topicArn?: string): PublishCommandInput {
  return {
    ...(topicArn ? { TopicArn: topicArn } : {}),
    ...(publication.subject ? { Subject: publication.subject } : {}),
    Message: publication.message,
    MessageAttributes: Object.fromEntries(
      Object.entries(publication.attributes).map(([name, value]) => [
        name,
        { DataType: 'String', StringValue: value },
      ]),
    ),
  };
}

export class SnsNotifier implements Notifier {
  readonly channels: string[];

  /** `topics` maps a channel (email, sms, chat, events) to its topic ARN; unmapped channels are not used. */
  constructor(
    private readonly client: SNSClient,
    private readonly topics: Record<string, string>,
  ) {
    this.channels = Object.keys(topics).sort();
  }

  async publish(publication: Publication): Promise<void> {
    const topicArn = this.topics[publication.channel];
    if (!topicArn) throw new Error(`No SNS topic is configured for the ${publication.channel} channel.`);
    await this.client.send(new PublishCommand(publishInput(publication, topicArn)));
  }
}
