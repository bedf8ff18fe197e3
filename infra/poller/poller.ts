// The poller Lambda: bundled locally with esbuild (no Docker), its own least-privilege role, a log group with a
// retention, and a dead-letter queue so a crashed or dropped poll is visible rather than silently retried.

import { Duration, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EmSettings, NetworkSettings } from '../settings/types.ts';
import { POLLER_BUNDLING } from './bundling.ts';
import { pollerNetwork } from './network.ts';
import { MEMORY_MB, TIMEOUT_MS } from './sizing.ts';

/** The CDK's name for POLLER_BUNDLING's format (another format fails to compile until it is named here). */
const OUTPUT_FORMAT: Record<typeof POLLER_BUNDLING.format, OutputFormat> = { esm: OutputFormat.ESM };

export interface PollerProps {
  /** The handler module (functions/poller/handler.ts; a stub in tests), exporting `handler`. */
  entry: string;
  /** The package-lock.json esbuild resolves dependencies against. */
  lockFile: string;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** Reserved concurrency: one per schedule (see pollConcurrency). */
  concurrency: number;
  network?: { settings: NetworkSettings; ems: EmSettings[] } | undefined;
}

export class Poller extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Failed invocations (after the schedule's and Lambda's bounded retries) land here. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: PollerProps) {
    super(scope, id);
    // Our own role, not CDK's default: that one attaches AWSLambdaBasicExecutionRole (logs:* on every group) and,
    // in a VPC, AWSLambdaVPCAccessExecutionRole (the same logs:* again); CDK attaches neither to a role it is given.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'replica-alerts poller',
    });
    const network = props.network && pollerNetwork(this, props.network.settings, props.network.ems);
    if (network) this.allowNetworkInterfaces(network.statements);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.logGroup.grantWrite(this.role);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter queue itself (of the poller's async invocations and of its schedules); " +
        "cdk-nag only recognises DLQs named in another queue's redrive policy.",
    });
    this.fn = new NodejsFunction(this, 'Function', {
      description: 'Polls Veeam Enterprise Manager and publishes replica alerts',
      entry: props.entry,
      handler: 'handler',
      depsLockFilePath: props.lockFile,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: MEMORY_MB,
      timeout: Duration.millis(TIMEOUT_MS),
      reservedConcurrentExecutions: props.concurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      // A crashed poll is not retried (the next scheduled poll resumes where it stopped); it goes to the queue.
      retryAttempts: 0,
      // An invocation queued longer (throttled behind running polls) is dropped to the queue, where the alarm
      // sees it; a later scheduled poll does the same work anyway.
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.deadLetters),
      ...network?.placement,
      bundling: {
        // The options test/bench/bundle.ts bundles with too.
        format: OUTPUT_FORMAT[POLLER_BUNDLING.format],
        target: POLLER_BUNDLING.target,
        minify: POLLER_BUNDLING.minify,
        sourceMap: POLLER_BUNDLING.sourcemap,
        mainFields: [...POLLER_BUNDLING.mainFields],
        banner: POLLER_BUNDLING.banner,
        // The SDK too, not the runtime's copy: the function runs the versions the lockfile pins and the tests
        // ran (the runtime's SDK changes under a deployed function and lags behind ours), and the minified bundle
        // loads faster than the runtime's SDK files (docs/benchmarks.md, "The AWS SDK in the Lambda bundle").
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }

  /** Lambda creates the function's network interfaces with this role, before the function exists. */
  private allowNetworkInterfaces(statements: PolicyStatement[]): void {
    for (const statement of statements) this.role.addToPolicy(statement);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets, which EC2 authorises on "*" alone (no ' +
        "resource-level permissions); read-only, needed by Lambda to manage the poller's network interfaces.",
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      reason:
        "Lambda creates, re-addresses and deletes the poller's network interfaces, whose IDs exist only once " +
        "created: this account's interfaces in this region; creating one is also limited to the given subnets " +
        'and security group.',
    });
  }
}
