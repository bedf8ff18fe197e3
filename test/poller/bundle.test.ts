// The handler as Lambda runs it: bundled as the stack bundles it (test/bench/bundle.ts with the stack's own
// POLLER_BUNDLING: ESM, node24 target, minified, the AWS SDK inside; test/infra/stack-poller.test.ts checks that
// both bundles are the same bytes), loaded by a fresh node process (Node 24 under `npm run test:node24`), polling
// the simulator over HTTPS with DynamoDB (dynalite), Secrets Manager and SNS at local endpoints through the SDK's
// endpoint variables.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioBuilder, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import { bundle } from '../bench/bundle.ts';
import { canaryUser, findCanary } from '../support/canary.ts';
import { type FakeAws, startFakeAws } from '../support/fake-aws.ts';

const run = promisify(execFile);
const USER = canaryUser('TECH\\svc');
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';
const TOPIC = (channel: string) => `arn:aws:sns:eu-west-1:123456789012:replica-alerts-${channel}`;
const CHANNELS = ['chat', 'email', 'events', 'sms'];
const TABLE = 'replica-alerts-state';

/** Imports the bundle, invokes it as the runtime does, prints the result on a line of its own. */
const INVOKE = `
const { handler } = await import(process.argv[1]);
const context = {
  functionName: 'ReplicaAlerts-Poller', functionVersion: '$LATEST', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ReplicaAlerts-Poller',
  awsRequestId: 'request-1', getRemainingTimeInMillis: () => 120000,
};
const result = await handler({}, context);
process.stdout.write('\\nRESULT ' + JSON.stringify({ node: process.version, ...result }) + '\\n');
`;

let file: string;
let dynamo: LocalDynamo;
let sim: Simulator;
let aws: FakeAws;
beforeAll(async () => {
  file = await bundle('functions/poller/handler.ts', 'handler-e2e');
  dynamo = await startDynalite();
  await ensureTable(localClient(dynamo.endpoint), TABLE);
  // The child runs on the wall clock, so the scenario does too: a run that failed an hour ago.
  const b = new ScenarioBuilder({ now: new Date().toISOString() });
  b.replicaJob('Exchange DR').run({
    start: new Date(Date.now() - 60 * 60_000).toISOString(),
    vms: [{ name: 'exch02', result: 'Failed', reason: 'Error: Cannot connect to host esx02.tech.local' }],
  });
  sim = await startSimulator({ scenario: b.build(), users: [USER], tls: true });
  aws = await startFakeAws({ [SECRET_ARN]: JSON.stringify(USER) });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await dynamo?.close();
  await aws?.close();
});

describe('the bundled handler', () => {
  it('loads in a fresh node, polls the simulator, records state and publishes to the four topics', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', INVOKE, file], {
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
        AWS_ENDPOINT_URL_SNS: aws.endpoint,
        TABLE_NAME: TABLE,
        ...Object.fromEntries(CHANNELS.map((c) => [`TOPIC_${c.toUpperCase()}_ARN`, TOPIC(c)])),
        ENTERPRISE_MANAGERS: JSON.stringify([
          { name: 'em-prod', url: sim.url, secretArn: SECRET_ARN, caCert: sim.caPem },
        ]),
        SETTINGS: '{}',
      },
    });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    const result = JSON.parse(line?.slice('RESULT '.length) ?? expect.fail(`no result:\n${stdout}${stderr}`));
    expect(result.node).toBe(process.version);
    expect(result.polls).toMatchObject([{ em: 'em-prod', status: 'ok', eventsDecided: 1, published: 4 }]);
    expect(aws.secretRequests).toEqual([{ SecretId: SECRET_ARN }]);
    expect(aws.publishes.map((p) => p.TopicArn).sort()).toEqual(CHANNELS.map(TOPIC));
    for (const publish of aws.publishes) expect(publish.Message).toContain('Exchange DR');
    expect(stdout).toMatch(/"function_request_id":"request-1"/);
    expect(stdout).toMatch(/"cold_start":true/);
    expect(findCanary(stdout + stderr + JSON.stringify(aws.publishes))).toEqual([]);
    expect(sim.openSessions()).toBe(0);
  });
});
