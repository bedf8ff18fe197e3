// The replica-alerts command in-process: argument handling, exit codes, output contracts, against the simulator.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Io } from '../../functions/cli/io.ts';
import { main } from '../../functions/cli/main.ts';
import { emName } from '../../functions/cli/poll.ts';
import { ScenarioBuilder, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { DynamoStateStore } from '../../functions/state/dynamo.ts';
import { ensureTable, localClient, startDynalite } from '../../functions/state/local.ts';
import { CANARY, canaryUser, findCanary } from '../support/canary.ts';
import { suiteDynalite } from '../support/dynalite.ts';

const USER = canaryUser('TECH\\svc');
const ENV = { EM_USERNAME: USER.username, EM_PASSWORD: USER.password };
const everything: string[] = [];

async function run(
  argv: string[],
  env: Record<string, string> = ENV,
  stdin = '',
  onInterrupt: Io['onInterrupt'] = () => () => {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io: Io = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: (line) => progress.push(line),
    readStdin: async () => stdin,
    onInterrupt,
    env,
    cwd: mkdtempSync(join(tmpdir(), 'ra-cli-')),
    now: () => new Date(),
  };
  const code = await main(argv, io);
  everything.push(...out, ...err);
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out, progress };
}

let sim: Simulator;
let tls: Simulator;
let caFile: string;
beforeAll(async () => {
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const b = new ScenarioBuilder({ now, seed: 2 });
  b.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' }).run({
    start: new Date(now.getTime() - 90 * 60_000),
    durationMin: 20,
    vms: [{ name: 'sql01', result: 'Failed', reason: 'Error: Failed to create VM snapshot.' }, 'sql02'],
  });
  b.replicaJob('Web Farm Replica').run({ start: new Date(now.getTime() - 60 * 60_000), vms: ['web01'] });
  b.replicaJob('Archive Replica').run({
    start: new Date(now.getTime() - 30 * 3_600_000), // older than the default 24-hour lookback
    vms: [{ name: 'arc01', result: 'Failed', reason: 'Error: old news' }],
  });
  sim = await startSimulator({ scenario: b.build(), users: [USER] });
  tls = await startSimulator({ scenario: b.build(), users: [USER], tls: true });
  caFile = join(mkdtempSync(join(tmpdir(), 'ra-ca-')), 'em-ca.pem');
  writeFileSync(caFile, tls.caPem ?? '');
});
afterAll(async () => {
  await sim.close();
  await tls.close();
});

describe('replica-alerts usage', () => {
  it('prints help and exits 2 without a command, 0 with --help', async () => {
    expect((await run([])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/poll .*\n.*check .*\n.*demo/);
    for (const command of ['poll', 'check', 'demo']) {
      const r = await run([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: replica-alerts/);
    }
  });

  it.each([
    [['frobnicate'], /Unknown command "frobnicate". Commands: poll, check, demo/],
    [
      ['poll', '--em-url', 'https://em:9398', '--colour'],
      /Unknown option '--colour'.*\n.*accepts: --em-url, --ca-file/,
    ],
    [['poll'], /--em-url is required/],
    [['poll', '--em-url', 'https://em:9398', '--output', 'yaml'], /--output must be text, json or sns/],
    [
      ['poll', '--em-url', 'https://em:9398', '--topic', 'pager=arn:aws:sns:eu-west-1:123456789012:x'],
      /channel must be one of email, sms, chat, events/,
    ],
    [
      ['poll', '--em-url', 'https://em:9398', '--topic', 'sms=arn:nope'],
      /"arn:nope" is not an SNS topic ARN/,
    ],
    [
      ['poll', '--em-url', 'https://em:9398', '--retry-hold', 'soon'],
      /--retry-hold: "soon" is not a duration/,
    ],
    [
      ['poll', '--em-url', 'https://em:9398', '--collection-lag', '30m'],
      /collectionLag: give whole minutes from 60 to 10080/,
    ],
    [
      ['poll', '--em-url', 'https://em:9398', '--time-zone', 'Mars/Olympus'],
      /timeZone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    [['poll', '--em-url', 'https://em:9398', '--state', 'a', '--table', 'b'], /exclude each other/],
    [['poll', '--em-url', 'ftp://em'], /--em-url ftp:\/\/em: .*https/],
    [['check', '--em-url', 'em.example.com'], /^--em-url em\.example\.com: .*not a valid URL/],
  ])('rejects %j with exit 2 and says why', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('rejects an EM URL holding a password with exit 2, never echoing the password', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['poll', '--em-url', `https://svc:${CANARY}@em:9398/`],
        /^--em-url https:\/\/\*\*\*@em:9398\/: .*name or password/,
      ],
      [
        ['check', '--em-url', `https://svc:${CANARY}@em:9398/`],
        /^--em-url https:\/\/\*\*\*@em:9398\/: .*name or password/,
      ],
      // Unparseable (the port): apiBase quotes the URL it cannot parse, redacted here too.
      [
        ['poll', '--em-url', `https://svc:${CANARY}@em:99999/`],
        /"https:\/\/\*\*\*@em:99999\/" is not a valid URL/,
      ],
      // An unencoded slash in the password: the URL parser would end the user info there, the redaction does not.
      [['check', '--em-url', `https://svc:pw/${CANARY}@em:9398/`], /^--em-url https:\/\/\*\*\*@em:9398\/: /],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(findCanary(r.err)).toEqual([]);
    }
  });

  it('takes credentials only from the environment or stdin', async () => {
    const r = await run(['poll', '--em-url', 'https://em:9398'], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Set EM_USERNAME and EM_PASSWORD/);
  });

  it.each([
    [['demo', '--bogus'], /Unknown option '--bogus'\nreplica-alerts demo accepts: --help\n/],
    [['poll', '--em-url', 'https://em:9398', '--output'], /^--output needs a value: --output VALUE\.\n/],
    [['poll', '--output', '--em-url', 'https://em:9398'], /^--output needs a value: --output VALUE\.\n/],
    [['poll', '--em-url', 'https://em:9398', '--endpoint-url', 'http://localhost:8000'], /give --table NAME/],
    [
      ['check', '--em-url', 'https://em:9398', '--ca-file', '/nonexistent/ca.pem'],
      /^--ca-file \/nonexistent/,
    ],
  ])('rejects %j with exit 2 and a clear message', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('gives check the EM options of poll', async () => {
    const check = (await run(['check', '--help'])).out;
    for (const flag of ['--ca-file', '--insecure-skip-tls-verify', '--password-stdin', '--debug']) {
      expect(check).toContain(flag);
      expect((await run(['poll', '--help'])).out).toContain(flag);
    }
  });
});

describe('replica-alerts poll', () => {
  it('prints one JSON event per line, and only what is new on the same state', async () => {
    const state = mkdtempSync(join(tmpdir(), 'ra-state-'));
    const first = await run(['poll', '--em-url', sim.url, '--state', state, '--output', 'json']);
    expect(first.code).toBe(0);
    const events = first.lines.map((line) => JSON.parse(line));
    expect(events.map((e) => [e.event, e.severity, e.subject.name])).toEqual([
      ['failure', 'Failed', 'SQL Replication'],
    ]);
    expect(events[0].vms).toEqual([
      { name: 'sql01', result: 'Failed', state: 'Completed', reason: 'Error: Failed to create VM snapshot.' },
    ]);
    expect(first.err).toMatch(
      /127\.0\.0\.1-\d+: \d+ sessions read in \d+ EM requests, 1 new alert, 1 message delivered \(channels: events\)\./,
    );
    expect(first.progress.at(0)).toMatch(/^127\.0\.0\.1-\d+: \d+ sessions read\.\.\.$/);
    expect(first.progress.at(-1)).toBe(''); // the status line is cleared before the summary
    const again = await run(['poll', '--em-url', sim.url, '--state', state, '--output', 'json']);
    expect(again).toMatchObject({ code: 0, out: '' });
    expect(sim.openSessions()).toBe(0);
  });

  it('reads further back with --history: older runs teach the schedule but never alert themselves', async () => {
    const sessionsRead = (err: string) => Number(/(\d+) sessions read/.exec(err)?.[1]);
    const state = () => ['--state', mkdtempSync(join(tmpdir(), 'ra-'))];
    const plain = await run(['poll', '--em-url', sim.url, ...state(), '--output', 'json']);
    const deep = await run(['poll', '--em-url', sim.url, ...state(), '--output', 'json', '--history', '2d']);
    expect(sessionsRead(deep.err)).toBe(sessionsRead(plain.err) + 1);
    const kinds = (out: string) =>
      out.split('\n').map((line) => {
        const event = JSON.parse(line);
        return `${event.event}:${event.subject.name}`;
      });
    expect(kinds(plain.out)).toEqual(['failure:SQL Replication']);
    // The 30-hour-old failure is history, not an alert; but now the job is known, and overdue (26 h with one run).
    expect(kinds(deep.out).sort()).toEqual(['failure:SQL Replication', 'stale:Archive Replica']);
  });

  it('prints the SNS publishes it would send for all four channels', async () => {
    const r = await run([
      'poll',
      '--em-url',
      sim.url,
      '--state',
      mkdtempSync(join(tmpdir(), 'ra-')),
      '--output',
      'sns',
    ]);
    expect(r.code).toBe(0);
    const publishes = r.lines.map((line) => JSON.parse(line));
    expect(publishes.map((p) => p.channel)).toEqual(['chat', 'email', 'events', 'sms']);
    const email = publishes.find((p) => p.channel === 'email');
    expect(email.Subject).toMatch(/^\[FAILED\] Replica job "SQL Replication"/);
    expect(email.MessageAttributes.event).toEqual({ DataType: 'String', StringValue: 'failure' });
    expect(JSON.parse(publishes.find((p) => p.channel === 'chat').Message)).toMatchObject({
      version: '1.0',
      source: 'custom',
    });
  });

  it('prints e-mails by default, reading the password from stdin', async () => {
    const r = await run(
      ['poll', '--em-url', sim.url, '--state', mkdtempSync(join(tmpdir(), 'ra-')), '--password-stdin'],
      {
        EM_USERNAME: USER.username,
      },
      `${CANARY}\n`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Subject: \[FAILED\] Replica job "SQL Replication"/);
    expect(r.out).toMatch(/sql01.*\n.*Error: Failed to create VM snapshot\./);
  });

  it('verifies TLS: fails on an untrusted certificate, works with --ca-file', async () => {
    const untrusted = await run(['poll', '--em-url', tls.url, '--state', mkdtempSync(join(tmpdir(), 'ra-'))]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toMatch(/not trusted.*CA/s);
    const trusted = await run([
      'poll',
      '--em-url',
      tls.url,
      '--ca-file',
      caFile,
      '--state',
      mkdtempSync(join(tmpdir(), 'ra-')),
    ]);
    expect(trusted.code).toBe(0);
  });

  it('exits 1 with the cause when the EM rejects the credentials', async () => {
    const r = await run(['poll', '--em-url', sim.url, '--state', mkdtempSync(join(tmpdir(), 'ra-'))], {
      EM_USERNAME: USER.username,
      EM_PASSWORD: `${CANARY}x`,
    });
    expect(r.code).toBe(1);
    // One line: the EM, the cause and what to do; the log line behind it only with --debug.
    expect(r.err).toMatch(
      /^127\.0\.0\.1-\d+: polling failed \(credentials\): the EM rejected the credentials of user "TECH\\svc" \(HTTP 401\)\. Check .*Portal User.*; 0 new alerts, 0 messages delivered \(channels: email\)\.$/,
    );
    const debug = await run(
      ['poll', '--em-url', sim.url, '--state', mkdtempSync(join(tmpdir(), 'ra-')), '--debug'],
      { EM_USERNAME: USER.username, EM_PASSWORD: `${CANARY}x` },
    );
    expect(debug.err).toMatch(
      /^error: Polling the Enterprise Manager failed\. \(em=127\.0\.0\.1-\d+ kind=credentials\): Enterprise Manager .*rejected/m,
    );
  });

  it('stops cleanly at Ctrl-C while reading: logged off, lease released, nothing recorded or counted', async () => {
    const state = ['--state', mkdtempSync(join(tmpdir(), 'ra-'))];
    const hang = sim.faults.add({ kind: 'hang', path: '/api/query', times: Number.POSITIVE_INFINITY });
    let interrupt: (() => void) | undefined;
    const listen: Io['onInterrupt'] = (handler) => {
      interrupt = handler;
      return () => {
        interrupt = undefined;
      };
    };
    try {
      const polling = run(
        ['poll', '--em-url', sim.url, ...state, '--output', 'json', '--unreachable-after', '1'],
        ENV,
        '',
        listen,
      );
      await expect.poll(() => hang.fired, { timeout: 15_000 }).toBe(1);
      interrupt?.();
      const stopped = await polling;
      expect(stopped).toMatchObject({ code: 130, out: '' });
      expect(stopped.err).toMatch(
        /^Interrupted: logged off 127\.0\.0\.1-\d+ and released its lease; nothing recorded for it\.$/m,
      );
      expect(interrupt).toBeUndefined(); // the handlers are removed once the poll is over
      expect(sim.openSessions()).toBe(0);
    } finally {
      sim.faults.clear();
    }
    // Not skipped (the lease is free), and everything is new: no unreachable EM was counted, nothing recorded.
    const next = await run(['poll', '--em-url', sim.url, ...state, '--output', 'json']);
    expect(next.code).toBe(0);
    expect(next.lines.map((line) => JSON.parse(line).event)).toEqual(['failure']);
  });

  it('stops publishing at Ctrl-C during delivery, leaving the rest pending for the next poll', async () => {
    const state = ['--state', mkdtempSync(join(tmpdir(), 'ra-'))];
    const email = 'arn:aws:sns:eu-west-1:123456789012:ra-email';
    const sns = mockClient(SNSClient);
    let interrupt: (() => void) | undefined;
    sns.on(PublishCommand).callsFake(async () => {
      interrupt?.();
      return { MessageId: 'm' };
    });
    try {
      const args = ['poll', '--em-url', sim.url, ...state, '--topic', `email=${email}`, '--output', 'json'];
      const stopped = await run(args, ENV, '', (handler) => {
        interrupt = handler;
        return () => {};
      });
      // The e-mail went out (SNS), the event line (printed) did not: the events channel is still pending.
      expect(stopped).toMatchObject({ code: 130, out: '' });
      expect(stopped.err).toMatch(
        /^Interrupted: every lease released; 1 alert left pending for the next poll\.$/m,
      );
      interrupt = undefined;
      const next = await run(args);
      expect(next.code).toBe(0);
      expect(next.lines.map((line) => JSON.parse(line).event)).toEqual(['failure']);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    } finally {
      sns.restore();
    }
  });

  it('quits at once at a second Ctrl-C, when the clean stop hangs (the real process)', async () => {
    const em = await startSimulator({ users: [USER] });
    const query = em.faults.add({ kind: 'hang', path: '/api/query', times: Number.POSITIVE_INFINITY });
    const logoff = em.faults.add({ kind: 'hang', method: 'DELETE', times: Number.POSITIVE_INFINITY });
    try {
      const cli = spawn(
        process.execPath,
        [join(import.meta.dirname, '../../bin/replica-alerts.js'), 'poll', '--em-url', em.url],
        { cwd: mkdtempSync(join(tmpdir(), 'ra-cli-')), env: { ...process.env, ...ENV }, stdio: 'pipe' },
      );
      let stderr = '';
      cli.stderr.on('data', (chunk) => {
        stderr += String(chunk);
      });
      const exited = once(cli, 'exit');
      await expect.poll(() => query.fired, { timeout: 15_000 }).toBe(1);
      cli.kill('SIGINT');
      await expect.poll(() => logoff.fired, { timeout: 15_000 }).toBe(1); // it stopped reading, is logging off
      cli.kill('SIGINT');
      const [code] = await exited;
      expect(code).toBe(130);
      // Left at once: the clean stop, had it ended (its logoff timing out after 5 s), would have said so.
      expect(stderr).not.toMatch(/^Interrupted:/m);
      everything.push(stderr);
    } finally {
      await em.close();
    }
  });

  it.each([
    ['under a file', () => join(caFile, 'state'), /state directory .*\/state cannot be created: ENOTDIR/],
    [
      'that cannot exist',
      () => '/proc/nonexistent/state',
      /state directory \/proc\/nonexistent\/state cannot be created/,
    ],
  ])('fails at once with one line on a --state %s', async (_what, dir, message) => {
    const r = await run(['poll', '--em-url', sim.url, '--state', dir()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/\. Fix its permissions, or give another directory with --state DIR\.$/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace without --debug
  });

  it('fails with one line when another poll uses the same --state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ra-'));
    const other = await startDynalite(dir);
    const client = localClient(other.endpoint);
    await ensureTable(client, 'replica-alerts'); // its store is open (dynalite opens it lazily)
    try {
      const r = await run(['poll', '--em-url', sim.url, '--state', dir]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `error: state directory ${dir} is in use by another replica-alerts poll (its lock is held): wait for ` +
          'that poll to end, or use another directory.',
      );
    } finally {
      client.destroy();
      await other.close();
    }
  });

  it('says when the lease of another poll of the EM expires, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ra-'));
    const local = await startDynalite(dir);
    const client = localClient(local.endpoint);
    await ensureTable(client, 'replica-alerts');
    const store = new DynamoStateStore(client, 'replica-alerts');
    const lease = { scope: `em#${emName(sim.url)}`, holder: 'a poll that died' };
    await store.tryLease({ ...lease, nowMs: Date.now(), ttlMs: 11 * 60_000 });
    client.destroy();
    await local.close();
    const r = await run(['poll', '--em-url', sim.url, '--state', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/: skipped, another poll of it holds its lease \(.*within 11 minutes\)\.$/m);
  });

  it('prints what the output format shows beside the channels published to SNS', async () => {
    const email = 'arn:aws:sns:eu-west-1:123456789012:ra-email';
    const sns = mockClient(SNSClient).on(PublishCommand).resolves({ MessageId: 'm' });
    const poll = (output: string) =>
      run([
        'poll',
        '--em-url',
        sim.url,
        '--state',
        mkdtempSync(join(tmpdir(), 'ra-')),
        '--topic',
        `email=${email}`,
        '--output',
        output,
      ]);
    try {
      const json = await poll('json');
      expect(json.code).toBe(0);
      expect(json.lines.map((line) => JSON.parse(line).event)).toEqual(['failure']);
      expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([email]);
      expect(json.err).toMatch(/1 new alert, 2 messages delivered \(channels: email, events\)\./);
      const all = (await poll('sns')).lines.map((line) => JSON.parse(line));
      // The channels are published side by side: each prints when its publish is done.
      expect(all.map((p) => [p.channel, p.TopicArn]).sort()).toEqual([
        ['chat', undefined],
        ['email', email],
        ['events', undefined],
        ['sms', undefined],
      ]);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(2); // only the e-mails were published
    } finally {
      sns.restore();
    }
  });

  it('does not count EM requests of a poll that failed', async () => {
    const r = await run(['poll', '--em-url', sim.url, '--state', mkdtempSync(join(tmpdir(), 'ra-'))], {
      EM_USERNAME: USER.username,
      EM_PASSWORD: `${CANARY}x`,
    });
    expect(r.err).toMatch(
      /: polling failed \(credentials\): the EM rejected .*; 0 new alerts, 0 messages delivered/,
    );
    expect(r.err).not.toMatch(/EM requests/);
  });
});

describe('replica-alerts poll, in a storm', () => {
  let storm: Simulator;
  beforeAll(async () => {
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const b = new ScenarioBuilder({ now, seed: 3 });
    for (let i = 1; i <= 8; i++)
      b.replicaJob(`DR job ${i}`, { backupServer: `vbr0${1 + (i % 2)}.tech.local` }).run({
        start: new Date(now.getTime() - 90 * 60_000),
        vms: [{ name: `vm${i}`, result: 'Failed', reason: 'Error: Target datastore ds-replica-02 is full.' }],
      });
    storm = await startSimulator({ scenario: b.build(), users: [USER] });
  });
  afterAll(() => storm.close());

  const poll = (...flags: string[]) =>
    run([
      'poll',
      '--em-url',
      storm.url,
      '--state',
      mkdtempSync(join(tmpdir(), 'ra-')),
      '--output',
      'sns',
      ...flags,
    ]);

  it('sends one grouped message on e-mail, SMS and chat, and every event alone, above --group-above', async () => {
    const r = await poll('--group-above', '5');
    expect(r.code).toBe(0);
    const publishes = r.lines.map((line) => JSON.parse(line));
    const on = (channel: string) => publishes.filter((p) => p.channel === channel);
    for (const channel of ['chat', 'email', 'sms']) expect(on(channel)).toHaveLength(1);
    const events = on('events').map((p) => JSON.parse(p.Message));
    expect(events).toHaveLength(8);
    expect(new Set(events.map((e) => e.group)).size).toBe(1);
    const [email] = on('email');
    expect(email.Subject).toMatch(/8/);
    expect(email.MessageAttributes.job.DataType).toBe('String.Array');
    expect(JSON.parse(email.MessageAttributes.job.StringValue).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `DR job ${i + 1}`).sort(),
    );
    for (let i = 1; i <= 8; i++) expect(email.Message).toContain(`DR job ${i}`);
  });

  it('sends each alone with --group-above 0', async () => {
    const r = await poll('--group-above', '0');
    expect(r.code).toBe(0);
    const channels = r.lines.map((line) => JSON.parse(line).channel);
    for (const channel of ['chat', 'email', 'events', 'sms'])
      expect(channels.filter((c) => c === channel)).toHaveLength(8);
  });
});

describe('replica-alerts poll --table', () => {
  const dynamo = suiteDynalite();
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const poll = (table: string) =>
    run(['poll', '--em-url', sim.url, '--table', table, '--endpoint-url', dynamo.endpoint]);

  it('says to set AWS_REGION when no region is set, before reading the EM', async () => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), 'no-aws-config'));
    const requests = sim.requests.length;
    const r = await poll('replica-alerts');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(
      'error: --table replica-alerts: no AWS region is set; set AWS_REGION (e.g. AWS_REGION=eu-west-1) or ' +
        'AWS_PROFILE to a profile with a region.',
    );
    expect(sim.requests.length).toBe(requests);
  });

  it('says to set AWS credentials when there are none', async () => {
    vi.stubEnv('AWS_REGION', 'local');
    for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
      vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), 'no-aws-config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(tmpdir(), 'no-aws-credentials'));
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true'); // no instance here to ask
    const r = await poll('replica-alerts');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(
      'error: --table replica-alerts: no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ' +
        'AWS_SECRET_ACCESS_KEY, or keep state on disk with --state DIR.',
    );
  });

  it('says how to create a table that does not exist, or to use --state, before reading the EM', async () => {
    for (const [name, value] of Object.entries({
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    }))
      vi.stubEnv(name, value);
    const requests = sim.requests.length;
    const r = await poll('no-such-table');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(
      `error: --table no-such-table: there is no such DynamoDB table in local at ${dynamo.endpoint}; create ` +
        'it with partition key pk and sort key sk, both strings, and TTL on expiresAt (docs/state.md), or keep ' +
        'state on disk with --state DIR.',
    );
    expect(sim.requests.length).toBe(requests);
  });
});

describe('replica-alerts check', () => {
  it('passes every step against a working EM', async () => {
    const r = await run(['check', '--em-url', tls.url, '--ca-file', caFile]);
    expect(r.code).toBe(0);
    // logon, API version, backup servers, four query shapes each for replica and CDP; the job and CDP policy
    // schedules, which a Portal User may not read (a warning: polls fall back); logoff
    expect(r.lines.map((l) => l.slice(0, 4))).toEqual([...Array(11).fill('PASS'), 'WARN', 'WARN', 'PASS']);
    expect(r.out).toMatch(
      /^WARN +schedules query\?type=Job +HTTP 403: needs the Enterprise Manager role Portal Administrator; schedule-aware rules fall back to the median gap$/m,
    );
    expect(r.out).toMatch(/API version +v1_5, v1_6, v1_7/);
    expect(r.out).toMatch(/query ReplicaJobSession: backup servers behind +accepted/);
    expect(r.out).toMatch(/query CdpReplicaTaskSession: by parent session +accepted/);
    expect(tls.openSessions()).toBe(0);
  });

  it('sends every shape of filter a poll sends, and names the one an EM refuses', async () => {
    const em = await startSimulator({ users: [USER] });
    const message = 'Field BackupServerUid is not supported';
    em.faults.add({ kind: 'status', status: 400, filter: /BackupServerUid/, message, times: Infinity });
    try {
      const r = await run(['check', '--em-url', em.url]);
      expect(r.code).toBe(1);
      const failed = r.lines.filter((l) => l.startsWith('FAIL'));
      expect(failed).toHaveLength(2); // the replica and the CDP query with backup servers behind
      expect(failed[0]).toMatch(
        /^FAIL +query ReplicaJobSession: backup servers behind +.*HTTP 400.*not supported.*per backup server \(BackupServerUid\)/,
      );
      expect(em.openSessions()).toBe(0);
    } finally {
      await em.close();
    }
  });

  it('says to run with --no-cdp when the EM has no CDP query types, and skips them with it', async () => {
    const em = await startSimulator({ users: [USER] });
    em.faults.add({ kind: 'status', status: 400, queryType: 'CdpReplicaSession', times: Infinity });
    em.faults.add({ kind: 'status', status: 400, queryType: 'CdpReplicaTaskSession', times: Infinity });
    try {
      const r = await run(['check', '--em-url', em.url]);
      expect(r.code).toBe(1);
      const failed = r.lines.filter((l) => l.startsWith('FAIL'));
      expect(failed).toHaveLength(4);
      for (const line of failed) expect(line).toMatch(/query Cdp.*no CDP query API.*--no-cdp/);
      const without = await run(['check', '--em-url', em.url, '--no-cdp']);
      expect(without.code).toBe(0);
      expect(without.out).not.toMatch(/Cdp/);
    } finally {
      await em.close();
    }
  });

  it('counts the scheduled, disabled and manual replica jobs and CDP policies a Portal Administrator reads', async () => {
    const admin = canaryUser('TECH\\em-admin', 'portal-administrator');
    const b = new ScenarioBuilder({ now: new Date(), seed: 3 });
    b.replicaJob('SQL Replication').schedule({ at: new Date(Date.now() + 3_600_000) });
    b.replicaJob('Legacy CRM Replica').schedule({ enabled: false });
    b.replicaJob('Test Replica').schedule({ configured: false });
    b.cdpPolicy('CDP Tier1').schedule();
    const em = await startSimulator({ scenario: b.build(), users: [admin] });
    try {
      const r = await run(['check', '--em-url', em.url], {
        EM_USERNAME: admin.username,
        EM_PASSWORD: CANARY,
      });
      expect(r.code).toBe(0);
      expect(r.out).toMatch(
        /^PASS +schedules query\?type=Job +3 replica jobs: 1 scheduled, 1 disabled, 1 manual$/m,
      );
      expect(r.out).toMatch(
        /^PASS +schedules query\?type=CdpPolicy +1 CDP policy: 1 scheduled, 0 disabled, 0 manual$/m,
      );
      expect(em.openSessions()).toBe(0);
    } finally {
      await em.close();
    }
  });

  it('warns, without failing, when the account may not list the backup servers', async () => {
    const em = await startSimulator({ users: [USER] });
    em.faults.add({ kind: 'status', status: 400, path: '/api/backupServers', times: Infinity });
    try {
      const r = await run(['check', '--em-url', em.url]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^WARN +backup servers +.*HTTP 400.*new backup servers may be missed/im);
    } finally {
      await em.close();
    }
  });

  it('fails with the reason when the logon is refused', async () => {
    const r = await run(['check', '--em-url', sim.url], { EM_USERNAME: 'nobody', EM_PASSWORD: CANARY });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL +reach, TLS and logon +the EM rejected the credentials of user "nobody"/);
  });

  it('lists the steps after a refused logon as skipped', async () => {
    const r = await run(['check', '--em-url', sim.url], { EM_USERNAME: 'nobody', EM_PASSWORD: CANARY });
    expect(r.lines.map((l) => l.slice(0, 4))).toEqual(['FAIL', ...Array(13).fill('SKIP')]);
    expect(r.lines.at(-1)).toMatch(/^SKIP +logoff +not logged on$/);
  });

  it('fails the logoff step when the logoff fails', async () => {
    const em = await startSimulator({ users: [USER] });
    em.faults.add({ kind: 'status', status: 500, method: 'DELETE', message: 'Session store unavailable' });
    try {
      const r = await run(['check', '--em-url', em.url]);
      expect(r.code).toBe(1);
      expect(r.lines.at(-1)).toMatch(
        /^FAIL +logoff +DELETE \/api\/logonSessions\/\S+ failed with HTTP 500\./,
      );
      expect(r.lines.slice(0, -1).map((l) => l.slice(0, 4))).toEqual([
        ...Array(11).fill('PASS'),
        'WARN',
        'WARN',
      ]);
      expect(r.err).toBe(''); // in the table, not repeated as a warning
    } finally {
      await em.close();
    }
  });
});

describe('replica-alerts demo', () => {
  it('shows alerts by e-mail, SMS and Slack, a stale job, a reminder, a resolved, and leaves no EM session open', async () => {
    const r = await run(['demo']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/E-mail {2}Subject: \[FAILED\] Replica job "Exchange DR"/);
    expect(r.out).toMatch(/SMS {5}FAILED Exchange DR @vbr02/);
    expect(r.out).toMatch(/Slack {3}.*FAILED: Replica job Exchange DR/);
    expect(r.out).toMatch(
      /Subject: \[WARNING\] Replica job "Fileserver02 Replication".*1 of 1 VM with warnings/,
    );
    expect(r.out).toMatch(
      /=== STILL FAILING =+\nE-mail {2}Subject: \[STILL FAILING\] CDP policy "CDP Finance"/,
    );
    expect(r.out).toMatch(/SMS {5}STALE Legacy CRM Replica @vbr02.*\(not sent by the default SMS filter\)/);
    expect(r.out).not.toMatch(/Büro "Nord" Replica" on/); // its retry recovered: never sent
    expect(r.out).toMatch(/SMS {5}RESOLVED Exchange DR @vbr02: ok after/);
    // Collected 3 h late from a server on a fast clock, with its VMs a collection later: sent whole, not lost.
    expect(r.out).toMatch(
      /Subject: \[FAILED\] Replica job "Branch Office Replica" on vbr03\.branch\.local: 1 of 2 VMs failed/,
    );
    expect(r.out).toMatch(/0 EM logon sessions left open/);
  });
});

it('never prints the password', () => {
  expect(everything.length).toBeGreaterThan(20);
  expect(findCanary(everything.join('\n'))).toEqual([]);
});
