// Delivery of rendered messages: one SNS topic per channel, plain String messages with String (or, for a grouped
// message, String.Array) attributes: SNS delivers attributes and applies filter policies only with plain String
// messages, and matches a String.Array when any of its values matches. The SDK's standard retry strategy retries
// throttling and 5xx with backoff; what still fails is thrown, and the poller retries it at the next poll.

import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import {
  type AttributeValue,
  attributeString,
  attributeType,
  CHANNELS,
  type Channel,
} from '../messages/types.ts';

/** One message for one channel, as the renderers produce it. */
export interface Publication {
  channel: Channel;
  subject?: string | undefined;
  message: string;
  attributes: Record<string, AttributeValue>;
}

export interface Notifier {
  /** The channels this notifier delivers to; events are recorded as pending for exactly these. */
  readonly channels: readonly Channel[];
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
        { DataType: attributeType(value), StringValue: attributeString(value) },
      ]),
    ),
  };
}

export class SnsNotifier implements Notifier {
  readonly channels: readonly Channel[];

  /** `topics` maps a channel to its topic ARN; unmapped channels are not used. */
  constructor(
    private readonly client: SNSClient,
    private readonly topics: Partial<Record<Channel, string>>,
  ) {
    this.channels = CHANNELS.filter((channel) => topics[channel]).sort(); // delivery order: by name
  }

  async publish(publication: Publication): Promise<void> {
    const topicArn = this.topics[publication.channel];
    if (!topicArn) throw new Error(`No SNS topic is configured for the ${publication.channel} channel.`);
    await this.client.send(new PublishCommand(publishInput(publication, topicArn)));
  }
}
