// A stand-in handler that uses the AWS SDK, so a test can see whether the poller's bundle carries the SDK.
import { SNSClient } from '@aws-sdk/client-sns';

export async function handler(): Promise<string> {
  return new SNSClient({ region: 'eu-west-1' }).config.serviceId;
}
