// `replica-alerts silence`: added, listed and removed in the local state, read by the next poll (the CLI's poll
// against the simulator over HTTP), and every wrong use refused with exit 2 and what to do.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScenarioBuilder, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { ensureTable, localClient, startDynalite } from '../../functions/state/local.ts';
import { canaryUser } from '../support/canary.ts';
import { runCli } from '../support/cli.ts';

const USER = canaryUser('TECH\\svc');
const ENV = { EM_USERNAME: USER.username, EM_PASSWORD: USER.password, USER: 'alice' };

const run = (argv: string[], now = new Date()) => runCli(argv, { env: ENV, now: () => now });

let sim: Simulator;
beforeAll(async () => {
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const b = new ScenarioBuilder({ now, seed: 3 });
  b.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' }).run({
    start: new Date(now.getTime() - 90 * 60_000),
    durationMin: 20,
    vms: [{ name: 'sql01', result: 'Failed', reason: 'Error: Failed to create VM snapshot.' }],
  });
  b.replicaJob('Web Farm').run({ start: new Date(now.getTime() - 60 * 60_000), vms: ['web01'] });
  sim = await startSimulator({ scenario: b.build(), users: [USER] });
});
afterAll(async () => sim.close());

describe('replica-alerts silence', () => {
  it('holds a failing job from the next poll until removed; then the poll sends it, saying what held it', async () => {
    const state = mkdtempSync(join(tmpdir(), 'ra-silence-state-'));
    const store = ['--state', state];
    const added = await run([
      'silence',
      'add',
      '--job',
      'sql*',
      '--for',
      '4h',
      '--reason',
      'snapshot fix',
      ...store,
    ]);
    expect(added.code).toBe(0);
    expect(added.err).toMatch(/warning: it matches no job, policy or EM polled so far; stored anyway/);
    const id = /Added silence ([0-9a-f]{8}): job sql\*, from \S+ until \S+; matches nothing/.exec(
      added.out,
    )?.[1];
    expect(id).toBeDefined();

    const held = await run(['poll', '--em-url', sim.url, ...store]);
    expect(held.code).toBe(0);
    expect(held.out).not.toMatch(/SQL Replication/);
    expect(held.err).toMatch(/0 new alerts|0 messages delivered/);

    const listed = await run(['silence', 'list', '--output', 'json', ...store]);
    expect(JSON.parse(listed.out)).toMatchObject([
      {
        id,
        job: 'sql*',
        status: 'active',
        by: 'alice',
        reason: 'snapshot fix',
        untilResolved: false,
        matched: [expect.stringMatching(/^SQL Replication \(/)],
      },
    ]);
    const text = await run(['silence', 'list', ...store]);
    expect(text.out).toMatch(
      new RegExp(
        `^${id}  active  job sql\\*, from .*\\n    by alice: snapshot fix\\n    matches SQL Replication`,
      ),
    );

    expect((await run(['silence', 'remove', id ?? '', ...store])).code).toBe(0);
    const sent = await run(['poll', '--em-url', sim.url, ...store]);
    expect(sent.out).toMatch(/FAILED.*SQL Replication/);
    expect(sent.out).toMatch(
      new RegExp(
        `Held by silence ${id} \\(snapshot fix, by alice\\) since .*: nothing about it was sent until it ended\\.`,
      ),
    );

    const again = await run(['silence', 'remove', id ?? '', ...store]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(`There is no silence ${id}; silence list shows the stored ones.`);
    expect((await run(['silence', 'list', ...store])).out).toBe('No silences.');
  });

  it('a maintenance window in --settings holds like a silence; once it is gone, the poll sends what it held', async () => {
    const state = mkdtempSync(join(tmpdir(), 'ra-silence-state-'));
    const settings = join(state, 'settings.json');
    const always = {
      name: 'Always',
      days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
      start: '00:00',
      duration: 1440,
    };
    writeFileSync(settings, JSON.stringify({ maintenance: [{ ...always, server: 'vbr01*' }] }));
    const held = await run(['poll', '--em-url', sim.url, '--state', state, '--settings', settings]);
    expect(held.code).toBe(0);
    expect(held.out).not.toMatch(/SQL Replication/);
    const sent = await run(['poll', '--em-url', sim.url, '--state', state]);
    expect(sent.out).toMatch(
      /Held by the maintenance window "Always" since .*: nothing about it was sent until it ended\./,
    );
  });

  it('until resolved on a job that is not failing: warned that it ends at the next poll; on a failing one, not', async () => {
    const state = mkdtempSync(join(tmpdir(), 'ra-silence-state-'));
    await run(['poll', '--em-url', sim.url, '--state', state, '--exclude', 'SQL*']);
    const r = await run([
      'silence',
      'add',
      '--em',
      'nowhere',
      '--until-resolved',
      '--reason',
      'x',
      '--state',
      state,
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/matches no job/);
    const list = JSON.parse((await run(['silence', 'list', '--output', 'json', '--state', state])).out);
    expect(list[0]).toMatchObject({ em: 'nowhere', untilResolved: true });
    // At most a week without an end given.
    expect(Date.parse(list[0].until) - Date.parse(list[0].from)).toBe(7 * 24 * 3_600_000);
  });

  it('with --table, for an operator allowed the silences alone: stored, said it could not read what it matches', async () => {
    const dynamo = await startDynalite();
    await ensureTable(localClient(dynamo.endpoint), 'ops-table');
    // What IAM answers a Scan the policy in docs/deploy.md does not allow; everything else reaches dynalite.
    const proxy = createServer((req, res) => {
      if (String(req.headers['x-amz-target']).endsWith('.Scan')) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            message: 'not allowed',
          }),
        );
        return;
      }
      req.pipe(
        httpRequest(
          `${dynamo.endpoint}${req.url}`,
          { method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          },
        ),
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const table = [
      '--table',
      'ops-table',
      '--endpoint-url',
      `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    ];
    // The SDK reads its region and credentials from the process environment.
    for (const [name, value] of Object.entries({
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'ops',
      AWS_SECRET_ACCESS_KEY: 'ops',
    }))
      vi.stubEnv(name, value);
    try {
      const added = await run(['silence', 'add', '--job', 'SQL*', '--for', '1h', '--reason', 'x', ...table]);
      expect(added.code).toBe(0);
      expect(added.err).toMatch(/warning: not allowed to read the jobs polled so far \(dynamodb:Scan\)/);
      expect(added.out).toMatch(/^Added silence [0-9a-f]{8}: job SQL\*, from \S+ until \S+\.$/);
      const listed = await run(['silence', 'list', ...table]);
      expect(listed.out).toMatch(/active {2}job SQL\*/);
      expect(listed.out).not.toMatch(/matches/);
    } finally {
      vi.unstubAllEnvs();
      proxy.close();
      await dynamo.close();
    }
  });

  const now = new Date('2026-12-07T10:00:00Z');
  it.each([
    [
      ['silence', 'add', '--for', '1h', '--reason', 'x'],
      /Say what to silence: --job GLOB, --server GLOB and\/or --em NAME/,
    ],
    [['silence', 'add', '--job', 'a', '--for', '1h'], /--reason TEXT is required/],
    [
      ['silence', 'add', '--job', 'a', '--reason', 'x'],
      /Say until when: --for DURATION, --until TIME or --until-resolved/,
    ],
    [['silence', 'add', '--job', 'a', '--reason', 'x', '--for', '0'], /--for 0 would end at once/],
    [['silence', 'add', '--job', 'a', '--reason', 'x', '--for', 'soon'], /--for: "soon" is not a duration/],
    [
      ['silence', 'add', '--job', 'a', '--reason', 'x', '--until', '2026-12-07T09:00Z'],
      /--until 2026-12-07T09:00Z: that is in the past \(now 2026-12-07T10:00:00.000Z\)/,
    ],
    [
      ['silence', 'add', '--job', 'a', '--reason', 'x', '--until', '2026-12-08 06:00'],
      /not an ISO 8601 time with its zone/,
    ],
    [
      ['silence', 'add', '--job', 'a', '--reason', 'x', '--for', '1h', '--until', '2026-12-08T06:00Z'],
      /exclude each other/,
    ],
    [['silence', 'add', '--job', ' ', '--reason', 'x', '--for', '1h'], /--job needs a non-empty value/],
    [
      ['silence', 'add', '--job', 'a', '--for', '1h', '--reason', 'x'.repeat(1001)],
      /--reason is 1001 characters; keep it to 1000/,
    ],
    [['silence', 'mute'], /Unknown action "mute": use add, list or remove/],
    [['silence', 'remove'], /silence remove takes one ID/],
    [['silence', 'list', '--output', 'yaml'], /--output must be text or json/],
  ])('%j: exit 2, says why', async (argv, message) => {
    const r = await run(argv, now);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('prints its help', async () => {
    const r = await run(['silence', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: replica-alerts silence add/);
    expect((await run(['silence'])).code).toBe(2);
  });
});
