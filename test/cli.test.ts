// The replica-alerts command in-process: argument handling, exit codes, output contracts, against the simulator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../functions/cli/io.ts';
import { main } from '../functions/cli/main.ts';
import { ScenarioBuilder, type Simulator, startSimulator } from '../functions/simulator/index.ts';

const PASSWORD = 'cli-canary-Pa55!';
const USER = { username: 'TECH\\svc', password: PASSWORD, role: 'portal-user' as const };
const ENV = { EM_USERNAME: USER.username, EM_PASSWORD: PASSWORD };
const everything: string[] = [];

async function run(argv: string[], env: Record<string, string> = ENV, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io: Io = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: (line) => progress.push(line),
    readStdin: async () => stdin,
    env,
    cwd: mkdtempSync(join(tmpdir(), 'ra-cli-')),
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
      ['poll', '--em-url', 'https://em:9398', '--time-zone', 'Mars/Olympus'],
      /timeZone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    [['poll', '--em-url', 'https://em:9398', '--state', 'a', '--table', 'b'], /exclude each other/],
    [['poll', '--em-url', 'ftp://em'], /--em-url ftp:\/\/em: .*https/],
  ])('rejects %j with exit 2 and says why', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('takes credentials only from the environment or stdin', async () => {
    const r = await run(['poll', '--em-url', 'https://em:9398'], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Set EM_USERNAME and EM_PASSWORD/);
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
      /127\.0\.0\.1-\d+: \d+ sessions read in \d+ EM requests, 1 new alerts, 1 delivered/,
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
      `${PASSWORD}\n`,
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
      EM_PASSWORD: 'wrong-password',
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rejected the credentials of user "TECH\\svc".*Portal User/s);
  });
});

describe('replica-alerts check', () => {
  it('passes every step against a working EM', async () => {
    const r = await run(['check', '--em-url', tls.url, '--ca-file', caFile]);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => l.slice(0, 4))).toEqual(Array(7).fill('PASS'));
    expect(r.out).toMatch(/API version +v1_5, v1_6, v1_7/);
    expect(r.out).toMatch(/read CdpReplicaTaskSession/);
    expect(tls.openSessions()).toBe(0);
  });

  it('fails with the reason when the logon is refused', async () => {
    const r = await run(['check', '--em-url', sim.url], { EM_USERNAME: 'nobody', EM_PASSWORD: 'nope' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL +reach, TLS and logon +the EM rejected the credentials of user "nobody"/);
  });
});

describe('replica-alerts demo', () => {
  it('shows alerts by e-mail, SMS and Slack, a stale job, a reminder, a resolved, and leaves no EM session open', async () => {
    const r = await run(['demo']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/E-mail {2}Subject: \[FAILED\] Replica job "Exchange DR"/);
    expect(r.out).toMatch(/SMS {5}FAILED Exchange DR @vbr02/);
    expect(r.out).toMatch(/Slack {3}.*FAILED: Replica job Exchange DR/);
    expect(r.out).toMatch(/REMINDER/);
    expect(r.out).toMatch(/SMS {5}STALE Legacy CRM Replica @vbr02/);
    expect(r.out).toMatch(/SMS {5}RESOLVED Exchange DR @vbr02: ok after/);
    expect(r.out).toMatch(/0 EM logon sessions left open/);
  });
});

it('never prints the password', () => {
  expect(everything.length).toBeGreaterThan(20);
  expect(everything.join('\n')).not.toContain(PASSWORD);
});
