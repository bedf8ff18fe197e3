// SNS mocked at the SDK (aws-sdk-client-mock): what the poller publishes, `Publish` and `PublishBatch` alike.

import {
  PublishBatchCommand,
  type PublishBatchCommandInput,
  PublishCommand,
  type PublishCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type SNSClientResolvedConfig,
} from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';

type SnsMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, SNSClientResolvedConfig>;

/** Every `PublishBatch` answered with all its entries accepted. */
export function acceptBatches(sns: SnsMock): void {
  sns
    .on(PublishBatchCommand)
    .callsFake(({ PublishBatchRequestEntries: entries = [] }: PublishBatchCommandInput) => ({
      Successful: entries.map(({ Id }) => ({ Id, MessageId: 'm' })),
    }));
}

/** Each message the mock was asked to publish, in the form of a `Publish` input: a batch's entries with its topic. */
export function publishedTo(sns: SnsMock): PublishCommandInput[] {
  return [
    ...sns.commandCalls(PublishCommand).map((call) => call.args[0].input),
    ...sns
      .commandCalls(PublishBatchCommand)
      .flatMap(({ args: [{ input }] }) =>
        (input.PublishBatchRequestEntries ?? []).map((entry) => ({ TopicArn: input.TopicArn, ...entry })),
      ),
  ];
}
