// The AWS clients of the Lambda and the CLI, built in one place so both retry alike: the SDK's standard
// strategy retries throttling, 5xx and network errors with exponential backoff and jitter, then surfaces the
// error (test/poller/clients.test.ts drives them against stub endpoints).

import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';

/** DynamoDB: state writes are cheap to retry, and a poll that gives up re-reads the EM next time. */
export const dynamoClient = (config: DynamoDBClientConfig = {}): DynamoDBClient =>
  new DynamoDBClient({ maxAttempts: 6, ...config });

/** SNS: what still fails after these attempts stays pending and is retried at the next poll. */
export const snsClient = (config: SNSClientConfig = {}): SNSClient =>
  new SNSClient({ maxAttempts: 5, ...config });
