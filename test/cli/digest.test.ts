// `replica-alerts digest`: the morning digest printed from what a poll of the simulator stored (the CLI's poll over
// HTTP into a local state), in each output format; and every wrong use refused with exit 2 and what to do.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioBuilder, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { canaryUser } from '../support/canary.ts';
import { runCli } from '../support/cli.ts';

const USER = canaryUser('TECH\\svc');
const ENV = { EM_USERNAME: USER.username, EM_PASSWORD: USER.password };

const run = (argv: string[]) => runCli(argv, { env: ENV });

const HOUR = 3_600_000;
let sim: Simulator;
/** A state directory the simulator's estate was polled into. */
let state: string;
beforeAll(async () => {
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const b = new ScenarioBuilder({ now, seed: 5 });
  b.replicaJob('Web Farm', { backupServer: 'vbr01.tech.local' }).run({ start: ago(1), vms: ['web01'] });
  b.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' }).run({
    start: ago(1.5),
    durationMin: 20,
    vms: [{ name: 'sql01', result: 'Failed', reason: 'Error: Failed to create VM snapshot.' }],
  });
  b.replicaJob('Archive Replica', { backupServer: 'vbr02.tech.local' }).run({
    start: ago(25.5),
    vms: ['arch01'],
  });
  sim = await startSimulator({ scenario: b.build(), users: [USER] });
  state = mkdtempSync(join(tmpdir(), 'ra-digest-state-'));
  const polled = await run(['poll', '--em-url', sim.url, '--state', state, '--history', '2d']);
  expect(polled.code).toBe(0);
});
afterAll(async () => sim.close());

describe('replica-alerts digest', () => {
  it('prints the e-mail: the counts, then the failing job before the others', async () => {
    const r = await run(['digest', '--state', state, '--time-zone', 'Europe/Berlin']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Subject: \[DIGEST\] \S+: 1 failed, 1 idle 24h, 1 ok\n/);
    expect(r.out).toMatch(/Morning digest of \S+: 1 failing, 1 with no run in 24 h, 1 healthy/);
    expect(r.out).toMatch(/^Failing: {12}1$/m);
    expect(r.out).toMatch(/^Healthy: {12}1$/m);
    const order = ['SQL Replication', 'Archive Replica', 'Web Farm'].map((name) =>
      r.out.indexOf(`  ${name} `),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(r.out).toMatch(/SQL Replication +vbr01\.tech\.local .* Failed since .*CES?T, 1 failed run/);
  });

  it('prints the JSON document for --output json, and one publish per channel for --output sns', async () => {
    const json = await run(['digest', '--state', state, '--output', 'json']);
    expect(json.code).toBe(0);
    const digest = JSON.parse(json.out);
    expect(digest).toMatchObject({
      version: 1,
      type: 'digest',
      counts: {
        failing: 1,
        warning: 0,
        stale: 0,
        'long-run': 0,
        silenced: 0,
        disabled: 0,
        quiet: 1,
        healthy: 1,
      },
      itemsOmitted: 0,
    });
    expect(digest.items.map((item: { name: string }) => item.name)).toEqual([
      'SQL Replication',
      'Archive Replica',
      'Web Farm',
    ]);
    const sns = await run(['digest', '--state', state, '--output', 'sns', '--em', digest.enterpriseManager]);
    const publishes = sns.out.split('\n').map((line) => JSON.parse(line));
    expect(publishes.map((p) => p.channel)).toEqual(['chat', 'email', 'events', 'sms']);
    for (const p of publishes)
      expect(p.MessageAttributes.event).toEqual({ DataType: 'String', StringValue: 'digest' });
    // Printing a digest is not delivery: it prints again, the same.
    expect((await run(['digest', '--state', state, '--output', 'json'])).out).toMatch(/"type":"digest"/);
  });

  it.each([
    [['digest', '--output', 'xml'], /--output must be text, json or sns/],
    [
      ['digest', '--em', 'em-nowhere'],
      /--em em-nowhere: not polled so far; the Enterprise Managers polled: \S+\./,
    ],
    [['digest', '--time-zone', 'Mars/Olympus'], /"Mars\/Olympus" is not an IANA time zone/],
    [['digest', 'now'], /Unexpected argument 'now'/],
  ])('%j: exit 2, says why', async (argv, message) => {
    const r = await run([...argv, '--state', state]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--em-url names the EM as poll did: by the URL it was given', async () => {
    const r = await run(['digest', '--state', state, '--em-url', sim.url, '--output', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ type: 'digest', counts: { failing: 1 } });
    const both = await run(['digest', '--state', state, '--em-url', sim.url, '--em', 'x']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--em and --em-url name the same thing: give one/);
  });

  it('says to poll first when nothing was polled into the state, exit 2', async () => {
    const r = await run(['digest', '--state', mkdtempSync(join(tmpdir(), 'ra-digest-empty-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: nothing has been polled into this state yet: run replica-alerts poll/);
  });

  it('prints its help', async () => {
    const r = await run(['digest', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: replica-alerts digest/);
    expect((await run(['--help'])).out).toMatch(/^ {2}digest {2}print the morning digest/m);
  });
});
