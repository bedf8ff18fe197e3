// A Lambda invocation context as the runtime passes it, for calling the handler in-process.

import type { Context } from 'aws-lambda';

/** A context with this much time left; each call gets its own request id, as each invocation does. */
export function lambdaContext(remainingMs: number | (() => number)): Context {
  const remaining = typeof remainingMs === 'number' ? () => remainingMs : remainingMs;
  const functionName = 'ReplicaAlerts-Poller';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/07/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: remaining,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
