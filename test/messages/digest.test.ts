// The morning digest's rules, on the estate the engine stored (test/support/digest-data.ts): which jobs it lists,
// and the status each gets. What each channel makes of it: snapshots.test.ts; its limits: properties.test.ts.

import { describe, expect, it } from 'vitest';
import type { Settings } from '../../functions/alerts/settings.ts';
import type { DigestStatus } from '../../functions/messages/digest.ts';
import { BERLIN, digestOf, ERP_SILENCE, estate } from '../support/digest-data.ts';

/** Each listed job's or policy's status, by name, from the estate at `now` (minutes after T0). */
function statuses(settings: Settings = BERLIN, now = 300): Record<string, DigestStatus> {
  const digest = digestOf(estate(), now, [ERP_SILENCE], settings);
  return Object.fromEntries(digest.items.map((item) => [item.name, item.status]));
}

describe('the morning digest', () => {
  it('gives every job and policy one status, failing first', () => {
    expect(Object.entries(statuses())).toEqual([
      ['SQL Replication', 'failing'],
      ['Exchange DR', 'warning'],
      ['File Server Replica', 'stale'],
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
    expect(Object.keys(watched)).toHaveLength(6);
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
});
