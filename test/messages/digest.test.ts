// The morning digest's rules, on the estate the engine stored (test/support/digest-data.ts): which jobs it lists,
// and the status each gets. What each channel makes of it: snapshots.test.ts; its limits: properties.test.ts.

import { describe, expect, it } from 'vitest';
import type { Settings } from '../../functions/alerts/settings.ts';
import { DIGEST_STATUSES, type Digest, type DigestStatus } from '../../functions/messages/digest.ts';
import { itemNote } from '../../functions/messages/digest-describe.ts';
import { DIGEST_RENDERERS } from '../../functions/messages/render.ts';
import { listWithin } from '../../functions/messages/text.ts';
import { at, jobRun } from '../support/alerts-data.ts';
import { BERLIN, digestOf, ERP_SILENCE, estate, morningDigest } from '../support/digest-data.ts';

/** Each listed job's or policy's status, by name, from the estate (or `h`) at `now` (minutes after T0). */
function statuses(settings: Settings = BERLIN, now = 300, h = estate()): Record<string, DigestStatus> {
  const digest = digestOf(h, now, [ERP_SILENCE], settings);
  return Object.fromEntries(digest.items.map((item) => [item.name, item.status]));
}

describe('the morning digest', () => {
  it('gives every job and policy one status, failing first', () => {
    expect(Object.entries(statuses())).toEqual([
      ['SQL Replication', 'failing'],
      ['Exchange DR', 'warning'],
      ['File Server Replica', 'stale'],
      ['Mail Archive', 'long-run'],
      ['ERP Replica', 'silenced'],
      ['Print Servers', 'disabled'],
      ['Web Farm', 'quiet'],
      ['CDP Tier-1 Apps', 'healthy'],
      ['Domain Controllers', 'healthy'],
      // Run by hand three days ago: never quiet.
      ['DR Test', 'healthy'],
    ]);
  });

  it('lists no job or policy the settings do not watch: excluded, muted, CDP off', () => {
    const watched = statuses({ ...BERLIN, exclude: ['web*'], muted: ['DR Test'], cdp: false });
    expect(Object.keys(watched)).not.toContain('Web Farm');
    expect(Object.keys(watched)).not.toContain('DR Test');
    expect(Object.keys(watched)).not.toContain('CDP Tier-1 Apps');
    expect(Object.keys(watched)).toHaveLength(7);
  });

  it('counts a maintenance window open now as a hold, as the next poll would', () => {
    const window = {
      name: 'Patch night',
      days: ['Tue' as const],
      start: '06:00',
      duration: 120,
      server: 'srv01*',
    };
    const held = statuses({ ...BERLIN, maintenance: [window] });
    expect(held).toMatchObject({
      'File Server Replica': 'silenced',
      'Print Servers': 'silenced',
      'DR Test': 'silenced',
    });
    expect(held['SQL Replication']).toBe('failing');
  });

  it('gives a CDP policy, whose sessions run a day, two hours more than a job before it is quiet', () => {
    // Its last session ended at 01:00 CEST; the digest a day and an hour later, then a day and three hours later.
    expect(statuses(BERLIN, 24 * 60)['CDP Tier-1 Apps']).toBe('healthy');
    expect(statuses(BERLIN, 26 * 60)['CDP Tier-1 Apps']).toBe('quiet');
  });

  it('shows a run gone far longer than usual while its notice is out, after a hold or an open alert', () => {
    const h = estate();
    expect(digestOf(h, 300).items.find((item) => item.name === 'Mail Archive')?.longRun).toEqual({
      startedAt: at(60),
      noticeSince: at(295),
    });
    // A run gone long as well: the silence, and the failure, still say more; the note adds the long run.
    const longRun = { uid: 'urn:veeam:ReplicaJobSession:hung', startedAt: at(200), since: at(295) };
    for (const job of [1, 4]) {
      const state = h.job(job);
      if (!state) throw new Error(`no job ${job} in the estate`);
      state.longRun = longRun;
    }
    expect(statuses(BERLIN, 300, h)).toMatchObject({
      'Mail Archive': 'long-run',
      'SQL Replication': 'failing',
      'ERP Replica': 'silenced',
    });
    const failing = digestOf(h, 300).items.find((item) => item.name === 'SQL Replication');
    const same = (s: string) => s;
    expect(failing && itemNote(failing, same, same)).toBe(
      `Failed since ${at(-24 * 60 + 140)}, 2 failed runs; ` +
        `running since ${at(200)}, far longer than usual (notice since ${at(295)})`,
    );
    // Its end sends `long-run-ended`, which clears the notice: healthy again.
    const spec = { job: 9, jobName: 'Mail Archive', server: 'srv02.tech.local', n: 4, start: 60, end: 320 };
    const ended = h.poll({ now: 325, replica: [jobRun(spec, ['Success'])], silences: [ERP_SILENCE] });
    expect(ended.map((event) => event.event)).toContain('long-run-ended');
    expect(h.job(9)?.longRun).toBeUndefined();
    expect(statuses(BERLIN, 330, h)['Mail Archive']).toBe('healthy');
  });
  it('says a long-run notice a silence holds is held, not sent, as the engine left it', () => {
    // ERP Replica (silenced since 03:50 CEST) starts a run at 04:10 CEST; its runs take 20 minutes, so the
    // poll at 05:25 CEST finds it running far longer than usual, and the silence holds the notice back.
    const h = estate();
    const spec = { job: 4, jobName: 'ERP Replica', server: 'srv02.tech.local', n: 5, start: 250 };
    const sent = h.poll({ now: 325, replica: [jobRun(spec)], silences: [ERP_SILENCE] });
    expect(sent.filter((event) => event.subject.name === 'ERP Replica')).toEqual([]);
    expect(h.job(4)?.silenced?.notices?.map((event) => event.event)).toEqual(['long-run']);
    const held = digestOf(h, 330).items.find((item) => item.name === 'ERP Replica');
    expect(held?.status).toBe('silenced');
    expect(held?.longRun).toEqual({ startedAt: at(250), noticeSince: null });
    const same = (s: string) => s;
    expect(held && itemNote(held, same, same)).toMatch(
      /far longer than usual \(its notice held, not sent\)$/,
    );
  });
});

describe("the digest's counts where space is short", () => {
  const counts = (n: number) =>
    Object.fromEntries(DIGEST_STATUSES.map((status, i) => [status, n * (i + 1)])) as Digest['counts'];
  const digest = (n: number, em = 'em-prod'): Digest => ({
    ...morningDigest(),
    enterpriseManager: em,
    counts: counts(n),
  });
  const options = { timeZone: 'Europe/Berlin' };

  it('cut between counts, never inside one, the worst first, in the subject and the SMS', () => {
    for (const em of ['em-prod', 'em-with-a-name-far-too-long-for-any-subject-line.example.com']) {
      const subject = DIGEST_RENDERERS.email(digest(1234, em), options).subject ?? '';
      const sms = DIGEST_RENDERERS.sms(digest(1234, em), options).message;
      for (const [line, max] of [
        [subject, 99],
        [sms, 140],
      ] as const) {
        expect(line.length).toBeLessThanOrEqual(max);
        expect(line).toMatch(/: 1,234 failed, 2,468 warning, .*\d [a-z0-9 ]+, \.\.\.$/);
      }
    }
    // A short name is kept whole while the counts are cut.
    expect(DIGEST_RENDERERS.email(digest(1234), options).subject).toMatch(/^\[DIGEST\] em-prod: /);
  });

  it('shows every count when they fit', () => {
    const subject = DIGEST_RENDERERS.email(digest(1, 'em1'), options).subject;
    expect(subject).toBe(
      '[DIGEST] em1: 1 failed, 2 warning, 3 stale, 4 long run, 5 silenced, 6 disabled, 7 idle 24h, 8 ok',
    );
    expect(listWithin(['1 failed', '20 ok'], 14)).toBe('1 failed, ...');
    expect(listWithin(['1,234 failed', '20 ok'], 5)).toBe('1,234 failed, ...');
  });
});
