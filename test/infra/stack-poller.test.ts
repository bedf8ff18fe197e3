// The poller: function, bundling settings, environment contract, failure handling, schedules and scale-out.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { POLLER_BUNDLING } from '../../infra/poller/bundling.ts';
import { bundle } from '../bench/bundle.ts';
import {
  fixtureSettings,
  minimalSettings,
  modulesLoadedBy,
  onlyResource,
  ROOT_DIR,
  SDK_HANDLER,
  schedulesOf,
  synthBeforeAll,
  synthStack,
  synthTemplate,
} from './fixtures/stack.ts';

describe('the poller function', () => {
  const template = synthBeforeAll(fixtureSettings());

  it('runs Node.js 24 on arm64, sized by the benchmark constants, one at a time', () => {
    template().hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('logs to its own log group with the configured retention', () => {
    template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template().hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^PollerLogs') } },
    });
    template().hasOutput('PollerLogGroupName', { Value: { Ref: Match.stringLikeRegexp('^PollerLogs') } });
  });

  it('sets exactly the environment the handler reads', () => {
    const variables = onlyResource(template(), 'AWS::Lambda::Function').Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        'ENTERPRISE_MANAGERS',
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'SETTINGS',
        'TABLE_NAME',
        'TOPIC_CHAT_ARN',
        'TOPIC_EMAIL_ARN',
        'TOPIC_EVENTS_ARN',
        'TOPIC_SMS_ARN',
      ].sort(),
    );
    expect(variables).toMatchObject({
      TABLE_NAME: { Ref: expect.stringMatching(/^StateTable/) },
      TOPIC_EMAIL_ARN: { Ref: expect.stringMatching(/^Topicsemail/) },
      TOPIC_SMS_ARN: { Ref: expect.stringMatching(/^Topicssms/) },
      TOPIC_CHAT_ARN: { Ref: expect.stringMatching(/^Topicschat/) },
      TOPIC_EVENTS_ARN: { Ref: expect.stringMatching(/^Topicsevents/) },
      POWERTOOLS_SERVICE_NAME: 'replica-alerts',
      POWERTOOLS_METRICS_NAMESPACE: 'ReplicaAlerts',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=384',
    });
    expect(JSON.parse(variables.SETTINGS)).toEqual(fixtureSettings().alerting);
  });

  it('passes each EM with its secret ARN and CA bundle as JSON', () => {
    const { Variables } = onlyResource(template(), 'AWS::Lambda::Function').Environment;
    // The created secret's ARN is a Ref: substitute it to read the JSON.
    const parts: unknown[] = Variables.ENTERPRISE_MANAGERS['Fn::Join'][1];
    const text = parts.map((part) => (typeof part === 'string' ? part : 'CREATED-SECRET-ARN')).join('');
    const ems = JSON.parse(text);
    expect(ems).toEqual([
      {
        name: 'em-prod',
        url: 'https://em.example.com:9398/api/',
        secretArn: 'CREATED-SECRET-ARN',
        caCert: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
      },
      {
        name: 'em-dr',
        url: 'https://em-dr.example.com:9398/api/',
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:veeam/em-dr-AbCdEf',
      },
    ]);
  });

  it('does not retry a crashed poll and sends it to the dead-letter queue', () => {
    template().hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerDeadLetters'), 'Arn'] } },
      },
    });
  });

  it('has an encrypted, TLS-only dead-letter queue that keeps messages 14 days', () => {
    template().hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template().hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('is invoked every 5 minutes for all EMs, with bounded retries into the dead-letter queue', () => {
    expect(schedulesOf(template(), 'rate')).toHaveLength(1);
    template().hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerFunction'), 'Arn'] },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerDeadLetters'), 'Arn'] } },
      },
    });
  });
});

describe('the poller bundle', () => {
  /** The stack's bundle of a handler that uses the SDK (the asset's index.mjs), built once for the suite. */
  let stackBundle: string;
  beforeAll(() => {
    const { template, outdir } = synthStack(minimalSettings(), SDK_HANDLER);
    const { Code } = onlyResource(template, 'AWS::Lambda::Function');
    const asset = `asset.${String(Code.S3Key).replace(/\.zip$/, '')}`;
    stackBundle = readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
  });

  it("carries the AWS SDK the lockfile pins instead of importing the runtime's", () => {
    expect(stackBundle).not.toMatch(/(from|import\()\s*["']@aws-sdk\//);
    const { version } = JSON.parse(readFileSync('node_modules/@aws-sdk/client-sns/package.json', 'utf8'));
    expect(stackBundle).toContain(version);
  });

  it('is, byte for byte, what test/bench/bundle.ts builds: the bundled-handler test and benchmarks run it', async () => {
    const file = await bundle(join(ROOT_DIR, SDK_HANDLER), 'stack-poller-sdk-handler');
    expect(readFileSync(file, 'utf8')).toBe(stackBundle);
    // The shared options at work: the banner first, the source map beside it.
    expect(stackBundle.startsWith(POLLER_BUNDLING.banner)).toBe(true);
    expect(stackBundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
  }, 60_000);

  it('is built by test/bench/bundle.ts without loading the CDK', async () => {
    expect(await modulesLoadedBy('test/bench/bundle.ts', /aws-cdk-lib|constructs/)).toEqual([]);
  }, 30_000);
});

describe('the schedule settings', () => {
  it('take the configured interval', () => {
    const template = synthTemplate({ ...minimalSettings(), schedule: { everyMinutes: 15 } });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 } }),
    });
  });

  it('schedule one invocation per EM, each naming its EM, past maxEmsPerInvocation', () => {
    const names = ['em-1', 'em-2', 'em-3'];
    const template = synthTemplate({
      enterpriseManagers: names.map((name) => ({ name, url: `https://${name}.example.com:9398/api/` })),
      schedule: { maxEmsPerInvocation: 2 },
    });
    expect(schedulesOf(template, 'rate')).toHaveLength(3);
    for (const name of names) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Target: Match.objectLike({ Input: JSON.stringify({ em: name }) }),
      });
    }
    // One poll at a time per EM, not one for the whole estate.
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 });
  });

  it('keep one schedule for all EMs up to maxEmsPerInvocation', () => {
    const template = synthTemplate({
      enterpriseManagers: ['a', 'b'].map((name) => ({ name, url: `https://${name}.example.com:9398/api/` })),
      schedule: { maxEmsPerInvocation: 2 },
    });
    expect(schedulesOf(template, 'rate')).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ Input: '{}' }) });
  });
});
