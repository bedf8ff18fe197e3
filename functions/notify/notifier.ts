// Delivery of rendered messages: one SNS topic per channel, plain String messages with String (or, for a grouped
// message, String.Array) attributes: SNS delivers attributes and applies filter policies only with plain String
// messages, and matches a String.Array when any of its values matches. The SDK's standard retry strategy retries
// throttling and 5xx with backoff; what still fails is thrown, and the poller retries it at the next poll.

import {
  PublishBatchCommand,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { publishBytes, SNS_MAX_BYTES } from '../messages/limits.ts';
import { utf8Bytes } from '../messages/text.ts';
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

/** A publication of a batch that SNS did not accept: its index in the batch, and why. */
export interface Refusal {
  index: number;
  reason: string;
}

export interface Notifier {
  /** The channels this notifier delivers to; events are recorded as pending for exactly these. */
  readonly channels: readonly Channel[];
  publish(publication: Publication): Promise<void>;
  /**
   * Publishes several publications of one channel in one call (as cut by `inBatches`); resolves with those SNS did
   * not accept. Optional: without it, each is published alone.
   */
  publishBatch?(publications: readonly Publication[]): Promise<Refusal[]>;
}

/** SNS `PublishBatch` takes at most 10 entries, SNS_MAX_BYTES in all. */
export const BATCH_ENTRIES = 10;

/** `items` in order, cut into batches SNS takes in one `PublishBatch`. */
export function inBatches<T>(items: readonly T[], publicationOf: (item: T) => Publication): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const publication = publicationOf(item);
    const size = publishBytes(publication) + utf8Bytes(publication.subject ?? '');
    if (batch.length === BATCH_ENTRIES || (batch.length && bytes + size > SNS_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length) batches.push(batch);
  return batches;
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
    await this.client.send(new PublishCommand(publishInput(publication, this.topic(publication.channel))));
  }

  /** Entries are named by their index; one SNS lists in neither `Successful` nor `Failed` counts as refused. */
  async publishBatch(publications: readonly Publication[]): Promise<Refusal[]> {
    const channel = publications[0]?.channel;
    if (!channel) return [];
    if (publications.some((publication) => publication.channel !== channel))
      throw new Error('A batch is published to one channel.');
    const { Successful = [], Failed = [] } = await this.client.send(
      new PublishBatchCommand({
        TopicArn: this.topic(channel),
        PublishBatchRequestEntries: publications.map((publication, index) => ({
          Id: String(index),
          ...publishInput(publication),
        })),
      }),
    );
    const accepted = new Set(Successful.map((entry) => entry.Id));
    const failed = new Map(Failed.map((entry) => [entry.Id, `${entry.Code}: ${entry.Message ?? ''}`]));
    return publications.flatMap((_, index) =>
      accepted.has(String(index))
        ? []
        : [{ index, reason: failed.get(String(index)) ?? 'not in the answer of PublishBatch' }],
    );
  }

  private topic(channel: Channel): string {
    const topicArn = this.topics[channel];
    if (!topicArn) throw new Error(`No SNS topic is configured for the ${channel} channel.`);
    return topicArn;
  }
}
