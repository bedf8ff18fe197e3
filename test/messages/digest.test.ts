// The morning digest's rules, on the estate the engine stored (test/support/digest-data.ts): which jobs it lists,
// and the status each gets. What each channel makes of it: snapshots.test.ts; its limits: properties.test.ts.

import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import type { Settings } from '../../functions/alerts/settings.ts';
import type { DigestStatus } from '../../functions/messages/digest.ts';
import { itemNote } from '../../functions/messages/digest-describe.ts';
import { at, jobRun } from '../support/alerts-data.ts';
import { BERLIN, digestOf, ERP_SILENCE, estate } from '../support/digest-data.ts';

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
    // A notice a silence holds back is said to be held, not sent.
    const erp = h.job(4);
    const notice = h.sent.find((event) => event.event === 'long-run');
    if (!erp?.silenced || !notice) throw new Error('ERP Replica is held and Mail Archive went long');
    erp.silenced.notices = [
      { ...notice, longRun: { ...notice.longRun, sessionUid: longRun.uid } } as AlertEvent,
    ];
    const held = digestOf(h, 300).items.find((item) => item.name === 'ERP Replica');
    expect(held?.longRun).toEqual({ startedAt: at(200), noticeSince: null });
    expect(held && itemNote(held, same, same)).toMatch(
      /far longer than usual \(its notice held, not sent\)$/,
    );
    // Its end sends `long-run-ended`, which clears the notice: healthy again.
    const spec = { job: 9, jobName: 'Mail Archive', server: 'srv02.tech.local', n: 4, start: 60, end: 320 };
    const ended = h.poll({ now: 325, replica: [jobRun(spec, ['Success'])], silences: [ERP_SILENCE] });
    expect(ended.map((event) => event.event)).toContain('long-run-ended');
    expect(h.job(9)?.longRun).toBeUndefined();
    expect(statuses(BERLIN, 330, h)['Mail Archive']).toBe('healthy');
  });
});
