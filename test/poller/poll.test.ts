// The poller end to end, driven directly (pollEm), as the Lambda runtime calls it (the handler, configured from
// its environment, the secret from a mocked Secrets Manager) and as `replica-alerts poll` (state on disk or in a
// table, credentials from the environment, the clock through its Io): the simulator over HTTP, state in dynalite and in
// DynamoDB Local, SNS mocked at the SDK, through a scripted day: a failure with reasons, the same poll again, a
// recovery, a session seen running and decided when it finishes, Warning then Failed, an EM that goes down and
// comes back, an SMS channel that fails and is retried alone.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../functions/alerts/index.ts';
import type { Io } from '../../functions/cli/io.ts';
import { emName, runPoll } from '../../functions/cli/poll.ts';
import { MINUTE } from '../../functions/duration.ts';
import { RENDERERS } from '../../functions/messages/render.ts';
import { CHANNELS } from '../../functions/messages/types.ts';
import { publishInput, SnsNotifier } from '../../functions/notify/notifier.ts';
import type { EmTarget } from '../../functions/poller/env.ts';
import { type Log, type PollerDeps, pollEm } from '../../functions/poller/poll.ts';
import { ScenarioBuilder, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, type LocalDynamo, localClient, startDynalite } from '../../functions/state/local.ts';
import { canaryUser, findCanary } from '../support/canary.ts';
import { suiteDynalite } from '../support/dynalite.ts';
import { startDynamoDbLocal } from '../support/dynamodb-local.ts';
import { lambdaContext } from '../support/lambda.ts';
import { logon } from '../support/simulator.ts';

const USER = canaryUser('TECH\\svc');
const START = '2026-11-25T06:00:00Z';
const TOPICS = {
  email: 'arn:aws:sns:eu-west-1:123456789012:ra-email',
  sms: 'arn:aws:sns:eu-west-1:123456789012:ra-sms',
  chat: 'arn:aws:sns:eu-west-1:123456789012:ra-chat',
  events: 'arn:aws:sns:eu-west-1:123456789012:ra-events',
};
const settings: Settings = { ...DEFAULT_SETTINGS, retryHold: 15, unreachableAfter: 2 };
const FAST = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

let tables = 0;
/** DynamoDB Local keeps tables per access key and region: those the tables are created with (localClient). */
const LOCAL_AWS = { AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
afterEach(() => {
  sns.reset();
  vi.useRealTimers();
  vi.unstubAllEnvs();
});
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';

type Driver = 'pollEm' | 'Lambda handler' | 'CLI --state' | 'CLI --table';

interface World {
  sim: Simulator;
  /** The EM's name in events: configured (em-prod), or the CLI's from the URL. */
  em: string;
  builder: ScenarioBuilder;
  sql: ReturnType<ScenarioBuilder['replicaJob']>;
  poll(): ReturnType<typeof pollEm>;
  /** Events published to the events topic, parsed. */
  events(): {
    id: string;
    event: string;
    severity: string;
    subject: { name: string };
    vms: { name: string; reason: string }[];
  }[];
  logs: string[];
  /** What the handler's context says is left of the invocation (the Lambda driver only). */
  remainingMs: number;
}

async function world(dynamo: Pick<LocalDynamo, 'endpoint'>, driver: Driver): Promise<World> {
  const builder = new ScenarioBuilder({ now: START, seed: 11 });
  const sql = builder.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' });
  sql.run({
    start: '2026-11-25T05:00:00Z',
    durationMin: 20,
    vms: [
      { name: 'sql01', result: 'Failed', reason: 'Error: Failed to create VM snapshot.' },
      { name: 'sql02', result: 'Warning', reason: 'Warning: Unable to truncate logs.' },
      'sql03',
    ],
  });
  const sim = await startSimulator({ scenario: builder.build(), users: [USER] });
  const client = localClient(dynamo.endpoint);
  const table = `poller-${++tables}`;
  await ensureTable(client, table);
  const logs: string[] = [];
  const log: Log = {
    info: (m, e) => logs.push(`info ${m} ${JSON.stringify(e)}`),
    warn: (m, e) => logs.push(`warn ${m} ${JSON.stringify(e)}`),
    error: (m, e) => logs.push(`error ${m} ${JSON.stringify(e)}`),
  };
  const deps: PollerDeps = {
    store: new DynamoStateStore(client, table),
    notifier: new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPICS),
    credentials: async () => USER,
    now: () => new Date(sim.clock.now()),
    log,
  };
  const target: EmTarget = { name: 'em-prod', url: sim.url, secretArn: SECRET_ARN };
  const poll =
    driver === 'pollEm'
      ? () => pollEm(target, deps, { settings, em: { retry: FAST } })
      : driver === 'Lambda handler'
        ? await lambda()
        : cli(
            driver === 'CLI --state'
              ? ['--state', mkdtempSync(join(tmpdir(), 'ra-state-'))]
              : ['--table', table, '--endpoint-url', dynamo.endpoint],
          );

  /** `replica-alerts poll` in-process, with the settings and topics of the other drivers, at the simulated time. */
  function cli(store: string[]) {
    for (const [name, value] of Object.entries(LOCAL_AWS)) vi.stubEnv(name, value); // for --table
    const printed: string[] = [];
    const io: Io = {
      out: (line) => {
        logs.push(line);
        printed.push(line);
      },
      err: (line) => logs.push(line),
      readStdin: async () => '',
      onInterrupt: () => () => {},
      env: { EM_USERNAME: USER.username, EM_PASSWORD: USER.password },
      cwd: mkdtempSync(join(tmpdir(), 'ra-cli-')),
      now: () => new Date(sim.clock.now()),
    };
    const topics = Object.entries(TOPICS).flatMap(([channel, arn]) => ['--topic', `${channel}=${arn}`]);
    const args = ['--em-url', sim.url, ...store, ...topics, '--output', 'json'];
    return async () => {
      const published = w.events().length;
      printed.length = 0;
      const { code, polls } = await runPoll([...args, '--retry-hold', '15', '--unreachable-after', '2'], io);
      const [summary = expect.fail('the CLI polled no EM')] = polls;
      expect(code).toBe(summary.status === 'ok' && !summary.publishFailures ? 0 : 1);
      // --output json prints exactly the events it published to the events topic.
      expect(printed.map((line) => JSON.parse(line))).toEqual(w.events().slice(published));
      return summary;
    };
  }

  /** The handler, configured as the stack configures it, polling at the simulated time. */
  async function lambda() {
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify(USER) });
    const env = {
      ...LOCAL_AWS,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TABLE_NAME: table,
      ...Object.fromEntries(Object.entries(TOPICS).map(([c, arn]) => [`TOPIC_${c.toUpperCase()}_ARN`, arn])),
      ENTERPRISE_MANAGERS: JSON.stringify([{ name: 'em-prod', url: sim.url, secretArn: SECRET_ARN }]),
      SETTINGS: JSON.stringify({ retryHold: 15, unreachableAfter: 2 }),
    };
    vi.resetModules();
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = await import('../../functions/poller/handler.ts');
    return async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: new Date(sim.clock.now()) });
      const write = vi
        .spyOn(process.stdout, 'write')
        .mockImplementation((chunk) => logs.push(String(chunk)) > 0);
      try {
        const { polls } = await handler(
          {},
          lambdaContext(() => w.remainingMs),
        );
        return polls[0] ?? expect.fail('the handler polled no EM');
      } finally {
        write.mockRestore();
        vi.useRealTimers();
      }
    };
  }

  const w: World = {
    sim,
    em: driver.startsWith('CLI') ? emName(sim.url) : 'em-prod',
    builder,
    sql,
    logs,
    poll: () => poll(),
    remainingMs: 120_000,
    events: () =>
      sns
        .commandCalls(PublishCommand)
        .filter((c) => c.args[0].input.TopicArn === TOPICS.events)
        .map((c) => JSON.parse(c.args[0].input.Message ?? '')),
  };
  return w;
}

// The same day through every driver, against dynalite (what the CLI embeds) and DynamoDB Local (AWS's own);
// `CLI --state` keeps its state in its own embedded dynalite.
const backends = { dynalite: () => startDynalite(), 'DynamoDB Local': () => startDynamoDbLocal() };
describe.each([
  ['pollEm', 'dynalite'],
  ['pollEm', 'DynamoDB Local'],
  ['Lambda handler', 'dynalite'],
  ['Lambda handler', 'DynamoDB Local'],
  ['CLI --state', 'dynalite'],
  ['CLI --table', 'DynamoDB Local'],
] as const)('%s with state on %s', (driver, backend) => {
  let dynamo: LocalDynamo;
  let w: World;
  beforeAll(async () => {
    dynamo = await backends[backend]();
  }, 120_000);
  afterAll(async () => {
    await dynamo.close();
  });
  afterEach(async () => {
    await w.sim.close();
  });

  it('sends a failure once to every channel, then nothing for the same poll, then resolved', async () => {
    w = await world(dynamo, driver);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const first = await w.poll();
    expect(first).toMatchObject({
      status: 'ok',
      eventsDecided: 1,
      published: 4,
      publishFailures: 0,
      pending: 0,
    });
    expect(w.sim.openSessions()).toBe(0);
    const [failure] = w.events();
    expect(failure).toMatchObject({
      event: 'failure',
      severity: 'Failed',
      subject: { name: 'SQL Replication' },
    });
    expect(failure?.vms.map((v) => [v.name, v.reason])).toEqual([
      ['sql01', 'Error: Failed to create VM snapshot.'],
      ['sql02', 'Warning: Unable to truncate logs.'],
    ]);
    // Exactly what SNS receives: each channel's rendering of the event, to that channel's topic, and nothing else.
    const sent = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(4);
    for (const channel of CHANNELS) {
      const rendered = RENDERERS[channel](failure as never, { timeZone: settings.timeZone });
      expect(sent).toContainEqual(publishInput({ channel, ...rendered }, TOPICS[channel]));
    }
    const email = sent.find((input) => input.TopicArn === TOPICS.email);
    expect(email?.Subject).toBe(
      '[FAILED] Replica job "SQL Replication" on vbr01.tech.local: 1 of 3 VMs failed',
    );
    expect(email?.MessageAttributes).toMatchObject({
      event: { DataType: 'String', StringValue: 'failure' },
      severity: { DataType: 'String', StringValue: 'Failed' },
      job: { DataType: 'String', StringValue: 'SQL Replication' },
      backupServer: { DataType: 'String', StringValue: 'vbr01.tech.local' },
      enterpriseManager: { DataType: 'String', StringValue: w.em },
    });

    w.sim.clock.advance(5 * MINUTE);
    const again = await w.poll();
    expect(again).toMatchObject({ status: 'ok', eventsDecided: 0, published: 0 });
    // logon, the backup servers, job sessions, CDP sessions, logoff
    expect(again.emRequests).toBeLessThanOrEqual(5);

    w.sql.run({
      start: '2026-11-25T06:10:00Z',
      durationMin: 10,
      vms: ['sql01', 'sql02', 'sql03'],
    });
    const { replicaJobSessions, replicaTaskSessions } = w.builder.build();
    w.sim.add({ replicaJobSessions, replicaTaskSessions }); // without `now`, which would set the clock back
    w.sim.clock.advance(20 * MINUTE);
    await w.poll();
    expect(w.events().map((e) => e.event)).toEqual(['failure', 'resolved']);
    expect(w.sim.openSessions()).toBe(0);
  });

  it('reports an EM down for N polls once, and resolves it when it is back', async () => {
    w = await world(dynamo, driver);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await w.poll();
    const down = w.sim.faults.add({ kind: 'reset', path: '/api/', times: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) {
      w.sim.clock.advance(5 * MINUTE);
      expect(await w.poll()).toMatchObject({ status: 'em-failed', error: { kind: 'unreachable' } });
    }
    w.sim.faults.clear();
    expect(down.fired).toBeGreaterThan(0);
    w.sim.clock.advance(5 * MINUTE);
    await w.poll();
    expect(w.events().map((e) => `${e.event}:${e.subject.name}`)).toEqual([
      'failure:SQL Replication',
      `source-unreachable:${w.em}`,
      `resolved:${w.em}`,
    ]);
    expect(w.sim.openSessions()).toBe(0);
  });

  it('sends nothing for a failed run that its retry recovers within the hold', async () => {
    w = await world(dynamo, driver);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const exchange = w.builder.replicaJob('Exchange DR', { backupServer: 'vbr02.tech.local' });
    exchange.run({
      start: '2026-11-25T05:45:00Z', // ended 05:55, inside its 15-minute hold at 06:00
      durationMin: 10,
      vms: [{ name: 'exch01', result: 'Failed', reason: 'Error: Cannot connect to host esx03' }],
    });
    exchange.retry({ afterMin: 10, recover: true }); // 06:05 to 06:10, Success
    const { replicaJobSessions, replicaTaskSessions } = w.builder.build();
    w.sim.add({ replicaJobSessions, replicaTaskSessions });
    await w.poll(); // 06:00: SQL Replication's failure goes out; Exchange DR is held (its retry not even started)
    for (let i = 0; i < 4; i++) {
      w.sim.clock.advance(10 * MINUTE);
      await w.poll();
    }
    expect(w.events().map((e) => `${e.event}:${e.subject.name}`)).toEqual(['failure:SQL Replication']);
  });

  it('retries only the channel that failed, at the next poll', async () => {
    w = await world(dynamo, driver);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    sns.on(PublishCommand, { TopicArn: TOPICS.sms }).rejectsOnce(new Error('Rate exceeded'));
    expect(await w.poll()).toMatchObject({ published: 3, publishFailures: 1, pending: 1 });
    w.sim.clock.advance(5 * MINUTE);
    expect(await w.poll()).toMatchObject({ eventsDecided: 0, published: 1, publishFailures: 0, pending: 0 });
    const byTopic = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn);
    expect(byTopic.filter((t) => t === TOPICS.sms)).toHaveLength(2);
    expect(byTopic.filter((t) => t === TOPICS.email)).toHaveLength(1);
  });

  it('decides a session seen running when it finishes, and sends a rise from Warning to Failed at once', async () => {
    w = await world(dynamo, driver);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const web = w.builder.replicaJob('Web Farm Replica', { backupServer: 'vbr02.tech.local' });
    web.run({
      start: '2026-11-25T05:55:00Z', // still running at 06:00
      durationMin: 20,
      vms: [
        { name: 'web01', result: 'Warning', reason: 'Warning: Changed block tracking cannot be enabled' },
      ],
    });
    const { replicaJobSessions, replicaTaskSessions } = w.builder.build();
    w.sim.add({ replicaJobSessions, replicaTaskSessions });
    await w.poll();
    expect(w.events().map((e) => `${e.event}:${e.subject.name}`)).toEqual(['failure:SQL Replication']);
    w.sim.clock.advance(40 * MINUTE); // 06:40: the Web Farm run ended Warning at 06:15, its hold is over
    await w.poll();
    web.run({
      start: '2026-11-25T06:45:00Z',
      durationMin: 5,
      vms: [{ name: 'web01', result: 'Failed', reason: 'Error: Cannot connect to host esx02' }],
    });
    const later = w.builder.build();
    w.sim.add({
      replicaJobSessions: later.replicaJobSessions,
      replicaTaskSessions: later.replicaTaskSessions,
    });
    w.sim.clock.advance(15 * MINUTE); // 06:55: the Failed run ended at 06:50, still inside its retry hold
    await w.poll();
    expect(w.events().map((e) => `${e.event}:${e.severity}:${e.subject.name}`)).toEqual([
      'failure:Failed:SQL Replication',
      'failure:Warning:Web Farm Replica',
      'failure:Failed:Web Farm Replica',
    ]);
    expect(w.sim.openSessions()).toBe(0);
  });

  it('never logs or publishes the password', async () => {
    w = await world(dynamo, driver);
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await w.poll();
    const published = JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input));
    expect(findCanary(`${published}\n${w.logs.join('\n')}\n${JSON.stringify(w.sim.requests)}`)).toEqual([]);
  });
});

describe('a secret rotated with the EM certificate', () => {
  let dynamo: LocalDynamo;
  let em: Simulator;
  let other: Simulator;
  beforeAll(async () => {
    dynamo = await startDynalite();
    em = await startSimulator({ users: [USER], tls: true });
    other = await startSimulator({ users: [USER], tls: true }); // its CA is the one the cached secret holds
  });
  afterAll(async () => {
    await Promise.all([dynamo.close(), em.close(), other.close()]);
  });

  /** Polls `em` with a cached secret holding the old CA, and `fresh` as what re-reading the secret gives. */
  async function poll(fresh: string | undefined) {
    const client = localClient(dynamo.endpoint);
    const table = `poller-${++tables}`;
    await ensureTable(client, table);
    const reads: boolean[] = [];
    const summary = await pollEm(
      { name: 'em-prod', url: em.url, secretArn: SECRET_ARN },
      {
        store: new DynamoStateStore(client, table),
        notifier: new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPICS),
        credentials: async (_target, refresh) => {
          reads.push(refresh);
          return { ...USER, caCert: refresh ? fresh : other.caPem };
        },
        now: () => new Date(em.clock.now()),
        log: { info: () => {}, warn: () => {}, error: () => {} },
      },
      { settings, em: { retry: FAST } },
    );
    return { summary, reads };
  }

  it('takes the CA from the re-read secret when the cached CA no longer verifies the EM', async () => {
    const { summary, reads } = await poll(em.caPem);
    expect(summary).toMatchObject({ status: 'ok' });
    expect(reads).toEqual([false, true]);
    expect(em.openSessions()).toBe(0);
  });

  it('fails on TLS, after one re-read, when the secret still holds the CA that does not verify', async () => {
    const { summary, reads } = await poll(other.caPem);
    expect(summary).toMatchObject({ status: 'em-failed', error: { kind: 'tls' } });
    expect(reads).toEqual([false, true]);
  });
});

describe("the simulator's count of open logon sessions", () => {
  it('counts a session leaked at the simulated time, a week before the real one', async () => {
    const sim = await startSimulator({
      scenario: new ScenarioBuilder({ now: START }).build(),
      users: [USER],
    });
    try {
      vi.useFakeTimers({ toFake: ['Date'], now: new Date(sim.clock.now()) }); // as the Lambda rows poll
      await logon(sim, USER); // and never logged off
      vi.useRealTimers();
      expect(sim.openSessions()).toBe(1); // idle time is real time: the week between the clocks is not idle
    } finally {
      await sim.close();
    }
  });
});

describe('the Lambda handler near its timeout', () => {
  const dynamo = suiteDynalite();

  it('starts no publish inside the safety margin, and the next invocation delivers what is pending', async () => {
    const w = await world(dynamo, 'Lambda handler');
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    // Inside the 20 s margin: the EM is still read (within the 1 s floor of its deadline) and the event
    // recorded, but no publish starts.
    w.remainingMs = 19_000;
    const short = await w.poll();
    expect(short).toMatchObject({ status: 'ok', eventsDecided: 1, published: 0, pending: 1 });
    expect(w.sim.openSessions()).toBe(0);
    w.remainingMs = 120_000;
    w.sim.clock.advance(5 * MINUTE);
    expect(await w.poll()).toMatchObject({ eventsDecided: 0, published: 4, pending: 0 });
    expect(w.events().map((e) => e.event)).toEqual(['failure']);
    await w.sim.close();
  });
});
