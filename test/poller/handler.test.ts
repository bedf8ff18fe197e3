// The Lambda handler as the runtime calls it: configuration from the environment, DynamoDB (dynalite) through
// the real SDK client, Secrets Manager and SNS mocked at the SDK, the EM simulator over HTTPS.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type Scenario,
  ScenarioBuilder,
  type Simulator,
  startSimulator,
} from '../../functions/simulator/index.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import { DynamoSilenceStore } from '../../functions/state/silences.ts';
import { minimalSettings, synthTemplate } from '../infra/fixtures/stack.ts';
import { canaryUser, findCanary } from '../support/canary.ts';
import { lambdaContext } from '../support/lambda.ts';
import { acceptBatches, publishedTo } from '../support/sns-mock.ts';

const USER = canaryUser('TECH\\svc');
const ADMIN = canaryUser('TECH\\svc-admin', 'portal-administrator');
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';
const TOPIC = (channel: string) => `arn:aws:sns:eu-west-1:123456789012:replica-alerts-${channel}`;

let dynamo: LocalDynamo;
let sim: Simulator;
let storm: Simulator;
let scheduled: Simulator;
let scheduledJobs: NonNullable<Scenario['jobs']>;
beforeAll(async () => {
  dynamo = await startDynalite();
  await ensureTable(localClient(dynamo.endpoint), 'replica-alerts-state');
  const b = new ScenarioBuilder({ now: '2026-11-25T06:00:00Z' });
  b.replicaJob('Exchange DR').run({
    start: '2026-11-25T05:00:00Z',
    vms: [{ name: 'exch02', result: 'Failed', reason: 'Error: Cannot connect to host esx02.tech.local' }],
  });
  sim = await startSimulator({ scenario: b.build(), users: [USER], tls: true });
  // A storm: more failures at once than groupAbove (5). Started here, on the real clock its certificate needs.
  const s = new ScenarioBuilder({ now: '2026-11-25T06:00:00Z' });
  for (let i = 1; i <= 7; i++)
    s.replicaJob(`Storm job ${i}`).run({
      start: '2026-11-25T05:00:00Z',
      vms: [{ name: `vm${i}`, result: 'Failed', reason: 'Error: Target datastore ds02 is full.' }],
    });
  storm = await startSimulator({ scenario: s.build(), users: [USER], tls: true });
  // Read with the role that may read schedules: Nightly ERP's run due at 04:00 never started; File Server's 05:00
  // run, where runs take 10 minutes, still runs; Web Farm is scheduled (a test disables it); a CDP policy with an
  // RPO of 15 s fails to sync.
  const e = new ScenarioBuilder({ now: '2026-11-25T06:00:00Z' });
  const erp = e.replicaJob('Nightly ERP');
  const files = e.replicaJob('File Server Replica');
  const web = e.replicaJob('Web Farm Replica');
  for (const hour of [1, 2, 3]) {
    const start = `2026-11-25T0${hour}:00:00Z`;
    for (const job of [erp, files, web]) job.run({ start, durationMin: 10, vms: ['vm01'] });
  }
  erp.schedule({ at: '2026-11-25T04:00:00Z' });
  files.run({ start: '2026-11-25T05:00:00Z', durationMin: null, vms: ['vm01'] });
  web.schedule({ at: '2026-11-25T04:00:00Z', everyMin: 60 });
  for (const hour of [4, 5]) web.run({ start: `2026-11-25T0${hour}:00:00Z`, durationMin: 10, vms: ['vm01'] });
  const cdp = e.cdpPolicy('CDP Tier-1');
  const reason = 'RPO of 15 seconds violated: dc03 could not sync (host esx03 unreachable).';
  cdp.session({
    start: '2026-11-25T05:30:00Z',
    durationMin: null,
    vms: [{ name: 'dc03', running: true, result: 'Failed', reason }],
  });
  cdp.schedule({ rpoSeconds: 15 });
  scheduledJobs = e.build().jobs ?? [];
  scheduled = await startSimulator({ scenario: e.build(), users: [ADMIN], tls: true });
});
afterAll(async () => {
  await scheduled.close();
  await storm.close();
  await sim.close();
  await dynamo.close();
});

async function loadHandler(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import('../../functions/poller/handler.ts');
}

const baseEnv = () => ({
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', // as the runtime sets it: Powertools reports cold starts only then
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  TABLE_NAME: 'replica-alerts-state',
  TOPIC_EMAIL_ARN: TOPIC('email'),
  TOPIC_SMS_ARN: TOPIC('sms'),
  TOPIC_CHAT_ARN: TOPIC('chat'),
  TOPIC_EVENTS_ARN: TOPIC('events'),
  ENTERPRISE_MANAGERS: JSON.stringify([
    { name: 'em-prod', url: sim.url, secretArn: SECRET_ARN, caCert: sim.caPem },
  ]),
  SETTINGS: JSON.stringify({ retryHold: 15 }),
});

/** Keeps what the handler writes (structured logs, EMF metrics) out of the test output, for assertions. */
function captureOutput() {
  const output: string[] = [];
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    vi.spyOn(console, 'log').mockImplementation((...args) => output.push(args.join(' '))),
  ];
  const restore = () => {
    for (const spy of spies) spy.mockRestore();
  };
  return { output, restore };
}

/** The Powertools Logger's JSON lines among what was written (EMF metric blobs carry `_aws`, not `level`). */
function logLines(output: string[]): Record<string, unknown>[] {
  return output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => 'level' in line);
}

describe('Lambda handler', () => {
  // The handler reads the wall clock; the EM's sessions are set on the simulator's, so the two must agree.
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: new Date(sim.clock.now()) }));
  afterEach(() => vi.useRealTimers());

  it('polls, publishes to the four topics, emits a heartbeat, and logs no secret', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    const [cold, warm] = [lambdaContext(120_000), lambdaContext(120_000)];
    const { output, restore } = captureOutput();
    try {
      const { handler } = await loadHandler(baseEnv());
      const first = await handler({}, cold);
      expect(first.polls).toMatchObject([{ em: 'em-prod', status: 'ok', eventsDecided: 1, published: 4 }]);
      const second = await handler({ em: 'em-prod' }, warm);
      expect(second.polls).toMatchObject([{ em: 'em-prod', status: 'ok', eventsDecided: 0, published: 0 }]);
    } finally {
      restore();
    }
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN },
    ]);
    expect(
      sns
        .commandCalls(PublishCommand)
        .map((c) => c.args[0].input.TopicArn)
        .sort(),
    ).toEqual(['chat', 'email', 'events', 'sms'].map(TOPIC));
    const all = output.join('\n');
    // Every log line names its invocation: the request id, and the cold start only on the first.
    const lines = logLines(output);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines)
      expect(line).toMatchObject({
        function_name: 'ReplicaAlerts-Poller',
        function_request_id: expect.any(String),
      });
    expect(new Set(lines.map((line) => `${line.function_request_id} ${line.cold_start}`))).toEqual(
      new Set([`${cold.awsRequestId} true`, `${warm.awsRequestId} false`]),
    );
    expect(all).toMatch(/"Heartbeat"/);
    expect(all).toMatch(/"EventsSent"/);
    expect(findCanary(all)).toEqual([]);
    expect(sim.openSessions()).toBe(0);
    sns.restore();
    secrets.restore();
  });

  it('fails every invocation with one clear message per configuration problem', async () => {
    const { handler } = await loadHandler({
      ...baseEnv(),
      TABLE_NAME: '',
      TOPIC_SMS_ARN: 'not-an-arn',
      ENTERPRISE_MANAGERS: JSON.stringify([{ name: 'em prod', url: 'ftp://em', secretArn: 'x' }]),
      SETTINGS: JSON.stringify({ retryHold: -1 }),
    });
    await expect(handler({}, lambdaContext(120_000))).rejects.toThrow(/TABLE_NAME is not set/);
    const error = await handler({}, lambdaContext(120_000)).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/TOPIC_SMS_ARN is not an SNS topic ARN/);
    expect((error as Error).message).toMatch(/ENTERPRISE_MANAGERS\[0\]\.name/);
    expect((error as Error).message).toMatch(/ENTERPRISE_MANAGERS\[0\]\.url.*https/);
    expect((error as Error).message).toMatch(/secretArn/);
    expect((error as Error).message).toMatch(/SETTINGS: retryHold/);
  });

  it('polls every EM independently: one that is down does not stop the others', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    const { handler } = await loadHandler({
      ...baseEnv(),
      TABLE_NAME: 'replica-alerts-two-ems',
      ENTERPRISE_MANAGERS: JSON.stringify([
        { name: 'em-down', url: 'https://127.0.0.1:1/api/', secretArn: SECRET_ARN },
        { name: 'em-prod', url: sim.url, secretArn: SECRET_ARN, caCert: sim.caPem },
      ]),
    });
    await ensureTable(localClient(dynamo.endpoint), 'replica-alerts-two-ems');
    const { restore } = captureOutput();
    const { polls } = await handler({}, lambdaContext(120_000)).finally(restore);
    expect(polls).toMatchObject([
      { em: 'em-down', status: 'em-failed', error: { kind: 'unreachable' } },
      { em: 'em-prod', status: 'ok', eventsDecided: 1, published: 4 },
    ]);
    expect(sim.openSessions()).toBe(0);
    sns.restore();
    secrets.restore();
  });

  it('an empty or unreadable secret is an EM failure: named, counted, and alerted as unreachable', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const secrets = mockClient(SecretsManagerClient);
    const notFound = Object.assign(new Error("Secrets Manager can't find the specified secret value."), {
      name: 'ResourceNotFoundException',
    });
    secrets.on(GetSecretValueCommand).rejects(notFound);
    const { handler } = await loadHandler({
      ...baseEnv(),
      ENTERPRISE_MANAGERS: JSON.stringify([{ name: 'em-new', url: sim.url, secretArn: SECRET_ARN }]),
    });
    const polls = [];
    const { output, restore } = captureOutput();
    try {
      for (let i = 0; i < 3; i++) {
        vi.setSystemTime(Date.now() + 5 * 60_000); // the schedule's next poll
        polls.push(...(await handler({}, lambdaContext(120_000))).polls);
      }
    } finally {
      restore();
    }
    expect(output.join('\n')).toMatch(/"PollsFailed":1,"EmErrors":1/);
    expect(polls.map((p) => [p.status, p.error?.kind])).toEqual(Array(3).fill(['em-failed', 'secret']));
    expect(polls[0]?.error?.message).toMatch(/ResourceNotFoundException.*put JSON like \{"username"/);
    const events = sns
      .commandCalls(PublishCommand)
      .filter((c) => c.args[0].input.TopicArn === TOPIC('events'))
      .map((c) => JSON.parse(c.args[0].input.Message ?? '{}'));
    expect(events).toMatchObject([{ event: 'source-unreachable', subject: { kind: 'enterprise-manager' } }]);
    sns.restore();
    secrets.restore();
  });

  it('a crashed poll fails the invocation (Errors alarm, dead-letter queue), after its metrics', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    const { handler } = await loadHandler({ ...baseEnv(), TABLE_NAME: 'no-such-table' });
    const { output, restore } = captureOutput();
    const failure = await handler({}, lambdaContext(120_000)).then(
      () => new Error('resolved'),
      (error: Error) => error,
    );
    restore();
    expect(failure.message).toMatch(
      /^1 of 1 polls crashed \(see the poller's log .*; the next scheduled poll retries .*\): em-prod: \S/,
    );
    expect(output.join('\n')).toMatch(/"Heartbeat":1/);
    // Logged as its own status, not as an EM that failed (which would be an alert of its own), and counted failed.
    expect(output.join('\n')).toMatch(/"status":"crashed",.*"error":\{"kind":"crash"/);
    expect(output.join('\n')).toMatch(/"PollsFailed":1/);
    secrets.restore();
  });

  describe("the heartbeat, against the stack's alarm", () => {
    type Watched = { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    let watched: Watched & { Threshold: number };
    // Synthesising takes seconds on a loaded machine: in the hook, which has the time.
    beforeAll(() => {
      const [alarm] = Object.values(
        synthTemplate(minimalSettings()).findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: 'ReplicaAlerts-poller-heartbeat' },
        }),
      );
      watched = alarm?.Properties;
    });

    it('is emitted exactly as the alarm watches it: namespace, metric name and dimensions', async () => {
      const sns = mockClient(SNSClient);
      sns.on(PublishCommand).resolves({ MessageId: 'm' });
      const secrets = mockClient(SecretsManagerClient);
      secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
      const { handler } = await loadHandler(baseEnv());
      const { output, restore } = captureOutput();
      await handler({}, lambdaContext(120_000)).finally(restore);
      sns.restore();
      secrets.restore();
      // Embedded metric format: CloudWatch makes metrics of the JSON log lines that carry an `_aws` directive.
      type Directive = { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] };
      const emitted = output
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line))
        .flatMap((record) =>
          (record._aws.CloudWatchMetrics as Directive[]).map((directive) => ({ record, directive })),
        )
        .filter(({ directive }) => directive.Metrics.some((m) => m.Name === watched.MetricName));
      expect(emitted).toHaveLength(1);
      const { record, directive } = emitted[0] as (typeof emitted)[number];
      expect(directive.Namespace).toBe(watched.Namespace);
      // An alarm matches only the metric with exactly its dimensions: one set, the same names, the same values.
      expect(directive.Dimensions).toEqual([watched.Dimensions.map((d) => d.Name)]);
      for (const { Name, Value } of watched.Dimensions) expect(record[Name]).toBe(Value);
      expect(record[watched.MetricName]).toBeGreaterThanOrEqual(watched.Threshold);
    });
  });

  it('groups a storm on e-mail, SMS and chat, with the job names as a String.Array attribute', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    acceptBatches(sns);
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    await ensureTable(localClient(dynamo.endpoint), 'replica-alerts-storm');
    const { handler } = await loadHandler({
      ...baseEnv(),
      TABLE_NAME: 'replica-alerts-storm',
      ENTERPRISE_MANAGERS: JSON.stringify([
        { name: 'em-prod', url: storm.url, secretArn: SECRET_ARN, caCert: storm.caPem },
      ]),
    });
    const { restore } = captureOutput();
    const { polls } = await handler({}, lambdaContext(120_000)).finally(restore);
    const inputs = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    const batches = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    sns.restore();
    secrets.restore();
    expect(polls).toMatchObject([{ status: 'ok', eventsDecided: 7, published: 3 + 7, pending: 0 }]);
    const to = (channel: string) => inputs.filter((input) => input.TopicArn === TOPIC(channel));
    for (const channel of ['email', 'sms', 'chat']) expect(to(channel)).toHaveLength(1);
    // The events channel: each event alone, in one PublishBatch.
    expect(batches.map((b) => [b.TopicArn, b.PublishBatchRequestEntries?.length])).toEqual([
      [TOPIC('events'), 7],
    ]);
    const names = Array.from({ length: 7 }, (_, i) => `Storm job ${i + 1}`);
    const job = to('email')[0]?.MessageAttributes?.job;
    expect(job?.DataType).toBe('String.Array');
    expect(JSON.parse(job?.StringValue ?? '[]').sort()).toEqual(names);
  });

  it('reads the silences stored in its table: a silenced failure is held, and sent once the silence is removed', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    const client = localClient(dynamo.endpoint);
    await ensureTable(client, 'replica-alerts-silence');
    const silences = new DynamoSilenceStore(client, 'replica-alerts-silence');
    const now = new Date(sim.clock.now());
    await silences.add({
      id: 'e1e1e1e1',
      job: 'exchange*',
      server: null,
      em: 'em-prod',
      from: new Date(now.getTime() - 60_000).toISOString(),
      until: new Date(now.getTime() + 3_600_000).toISOString(),
      untilResolved: false,
      reason: 'host esx02 in repair',
      by: 'alice',
    });
    const env = { ...baseEnv(), TABLE_NAME: 'replica-alerts-silence' };
    const { restore } = captureOutput();
    try {
      const held = await (await loadHandler(env)).handler({}, lambdaContext(120_000));
      expect(held.polls).toMatchObject([{ status: 'ok', eventsDecided: 0, published: 0 }]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
      await silences.remove('e1e1e1e1');
      vi.setSystemTime(now.getTime() + 5 * 60_000);
      const sent = await (await loadHandler(env)).handler({}, lambdaContext(120_000));
      expect(sent.polls).toMatchObject([{ status: 'ok', eventsDecided: 1, published: 4 }]);
    } finally {
      restore();
    }
    const event = sns
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input)
      .find((input) => input.TopicArn === TOPIC('events'));
    sns.restore();
    secrets.restore();
    expect(JSON.parse(event?.Message ?? '{}')).toMatchObject({
      event: 'failure',
      subject: { name: 'Exchange DR' },
      afterSilence: { id: 'e1e1e1e1', reason: 'host esx02 in repair', by: 'alice' },
    });
  });

  it('sends the morning digest for {"digest": true}: from the stored state alone, one publish per channel', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    await ensureTable(localClient(dynamo.endpoint), 'replica-alerts-digest');
    const env = { ...baseEnv(), TABLE_NAME: 'replica-alerts-digest' };
    const { output, restore } = captureOutput();
    let digests: unknown;
    try {
      await (await loadHandler(env)).handler({}, lambdaContext(120_000));
      sns.resetHistory();
      secrets.resetHistory();
      // The EM cannot be reached now: the digest does not try.
      const down = JSON.stringify([
        { name: 'em-prod', url: 'https://127.0.0.1:1/api/', secretArn: SECRET_ARN },
      ]);
      const { handler } = await loadHandler({ ...env, ENTERPRISE_MANAGERS: down });
      output.length = 0;
      ({ digests } = await handler({ digest: true, em: 'em-prod' }, lambdaContext(120_000)));
    } finally {
      restore();
    }
    expect(digests).toEqual([{ em: 'em-prod', status: 'ok', items: 1, published: 4, publishFailures: 0 }]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const inputs = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    sns.restore();
    secrets.restore();
    expect(inputs.map((input) => input.TopicArn).sort()).toEqual(
      ['chat', 'email', 'events', 'sms'].map(TOPIC),
    );
    for (const input of inputs)
      expect(input.MessageAttributes?.event).toEqual({ DataType: 'String', StringValue: 'digest' });
    const email = inputs.find((input) => input.TopicArn === TOPIC('email'));
    expect(email?.Subject).toBe('[DIGEST] em-prod: 1 failed');
    expect(email?.Message).toMatch(/^ {2}Exchange DR +\S+ .* Failed since /m);
    const all = output.join('\n');
    expect(all).toMatch(/"DigestsSent":1/);
    expect(all).toMatch(/"message":"Digest finished"/);
    expect(all).not.toMatch(/"Heartbeat"/); // the heartbeat says the polls run
  });

  it('a digest that cannot read the state fails the invocation, after its metrics', async () => {
    const { handler } = await loadHandler({ ...baseEnv(), TABLE_NAME: 'no-such-table' });
    const { output, restore } = captureOutput();
    const failure = await handler({ digest: true }, lambdaContext(120_000)).then(
      () => new Error('resolved'),
      (error: Error) => error,
    );
    restore();
    expect(failure.message).toMatch(
      /^1 of 1 digests crashed \(see the poller's log .*; the next scheduled digest is sent as usual\): em-prod: \S/,
    );
    expect(output.join('\n')).toMatch(/"DigestsSent":0/);
  });

  it('holds what a maintenance window in its SETTINGS matches: nothing is published while it is open', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(USER) });
    await ensureTable(localClient(dynamo.endpoint), 'replica-alerts-maintenance');
    const always = {
      name: 'Always',
      days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
      start: '00:00',
    };
    const { restore } = captureOutput();
    try {
      const { handler } = await loadHandler({
        ...baseEnv(),
        TABLE_NAME: 'replica-alerts-maintenance',
        SETTINGS: JSON.stringify({ maintenance: [{ ...always, duration: 1440, em: 'em-prod' }] }),
      });
      const { polls } = await handler({}, lambdaContext(120_000));
      expect(polls).toMatchObject([{ status: 'ok', eventsDecided: 0, published: 0 }]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    } finally {
      restore();
      sns.restore();
      secrets.restore();
    }
  });

  it('reads the schedules with the role Portal Administrator: a missed run, a long run, the RPO, a disabled schedule', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    acceptBatches(sns);
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(ADMIN) });
    await ensureTable(localClient(dynamo.endpoint), 'replica-alerts-schedules');
    const events = () =>
      publishedTo(sns)
        .filter((input) => input.TopicArn === TOPIC('events'))
        .map((input) => JSON.parse(input.Message ?? '{}'));
    const env = {
      ...baseEnv(),
      TABLE_NAME: 'replica-alerts-schedules',
      ENTERPRISE_MANAGERS: JSON.stringify([
        { name: 'em-prod', url: scheduled.url, secretArn: SECRET_ARN, caCert: scheduled.caPem },
      ]),
    };
    const { restore } = captureOutput();
    try {
      const first = await (await loadHandler(env)).handler({}, lambdaContext(120_000));
      expect(first.polls).toMatchObject([{ status: 'ok' }]);
      scheduled.add({
        jobs: scheduledJobs.map((row) =>
          row.name === 'Web Farm Replica' ? { ...row, scheduleEnabled: false, firstRun: null } : row,
        ),
      });
      vi.setSystemTime(Date.parse('2026-11-25T06:10:00Z'));
      scheduled.clock.advance(10 * 60_000);
      await (await loadHandler(env)).handler({}, lambdaContext(120_000));
    } finally {
      restore();
      sns.restore();
      secrets.restore();
    }
    const sent = events();
    expect(sent.map((e) => `${e.event} ${e.subject.name}`).sort()).toEqual([
      'failure CDP Tier-1',
      'long-run File Server Replica',
      'schedule-disabled Web Farm Replica',
      'stale Nightly ERP',
    ]);
    const about = (name: string) => sent.find((e) => e.subject.name === name);
    expect(about('Nightly ERP')).toMatchObject({
      stale: { basis: 'schedule', dueAt: '2026-11-25T04:00:00.000Z' },
    });
    expect(about('CDP Tier-1')).toMatchObject({ rpo: { seconds: 15, breached: true } });
    expect(about('File Server Replica')).toMatchObject({
      longRun: { usualMinutes: 10, startedAt: '2026-11-25T05:00:00.000Z' },
    });
  });

  it('refuses an event naming an EM that is not configured', async () => {
    const { handler } = await loadHandler(baseEnv());
    await expect(handler({ em: 'em-other' }, lambdaContext(120_000))).rejects.toThrow(
      /"em-other", which is not configured/,
    );
  });
});
