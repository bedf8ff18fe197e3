// The grouped messages' wording, bounds and filter attributes (their full renderings: snapshots.test.ts).

import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import { attributesOf } from '../../functions/messages/attributes.ts';
import type { AlertGroup } from '../../functions/messages/group.ts';
import { BODY_BUDGET_BYTES, publishBytes, SNS_MAX_BYTES } from '../../functions/messages/limits.ts';
import { GROUP_RENDERERS, RENDERERS } from '../../functions/messages/render.ts';
import { utf8Bytes } from '../../functions/messages/text.ts';
import { cdpGroup, stormFailure, stormResolved } from '../support/group-data.ts';

const UTC = { timeZone: 'UTC' };
const { chat, email, sms } = GROUP_RENDERERS;
const description = (group: AlertGroup) => JSON.parse(chat(group, UTC).message).content.description as string;

/** A storm of `n` copies of its first job, each its own subject. */
function copies(n: number, change: (event: AlertEvent, i: number) => AlertEvent = (e) => e): AlertGroup {
  const group = stormFailure();
  const [first] = group.events as [AlertEvent];
  const events = Array.from({ length: n }, (_, i) =>
    change({ ...first, id: `id-${i}`, subject: { ...first.subject, uid: `uid-${i}` } }, i),
  );
  return { ...group, events };
}

describe('grouped messages', () => {
  it('carry each member value a filter may look for, names as String.Array', () => {
    const group = stormFailure();
    expect(email(group, UTC).attributes).toEqual({
      event: 'failure',
      severity: 'Failed',
      alertSeverity: 'Failed',
      subjectKind: ['replica-job'],
      enterpriseManager: 'em-prod',
      job: group.events.map((e) => e.subject.name),
      backupServer: ['srv01.tech.local', 'srv02.tech.local'],
    });
    for (const render of Object.values(GROUP_RENDERERS))
      expect(render(group, UTC).attributes).toEqual(email(group, UTC).attributes);
    expect(sms(stormResolved(), UTC).attributes).toMatchObject({
      severity: 'Success',
      alertSeverity: 'Failed',
    });
  });

  it("list every member's severity when they differ, so a filter on either still takes the group", () => {
    const group = copies(3, (e, i) => (i ? e : { ...e, severity: 'Warning' }));
    expect(email(group, UTC).attributes.severity).toEqual(['Warning', 'Failed']);
  });

  it('cut names as the single attributes do, and leave out empty ones', () => {
    const group = copies(2, (e, i) => ({
      ...e,
      subject: { ...e.subject, name: `${i}${'N'.repeat(300)}`, backupServer: i ? null : 'srv\n01' },
    }));
    const { job, backupServer } = email(group, UTC).attributes;
    expect(job).toEqual(group.events.map((e) => attributesOf(e).job));
    expect(backupServer).toEqual(['srv 01']);
  });

  it('say "jobs and policies" for a mix, and mark the policies', () => {
    const group = { ...stormFailure(), events: [...stormFailure().events.slice(0, 2), ...cdpGroup().events] };
    const { subject, message } = email(group, UTC);
    expect(subject).toBe('[FAILED] 5 jobs and policies on em-prod: 8 of 9 VMs failed');
    expect(message).toMatch(/^Jobs and policies: +5 \(2 replica jobs, 3 CDP policies\)$/m);
    expect(message).toContain(
      '\n  - CDP SAP (CDP policy) on srv02.tech.local: Failed (session still running)',
    );
    expect(sms(group, UTC).message).toBe(
      'FAILED 5 jobs and policies on em-prod, worst: CDP Tier-1 Apps 3/3 VMs, 02:00Z',
    );
    expect(JSON.parse(chat(group, UTC).message).content.title).toBe(
      '🔴 FAILED: 5 jobs and policies on em-prod',
    );
    expect(description(group)).toContain(
      '\n• *CDP SAP* (CDP policy) on srv02.tech.local: Failed (session still running)',
    );
  });

  it('name the worst member in the SMS: the most failed VMs', () => {
    expect(sms(stormFailure(), UTC).message).toBe(
      'FAILED 12 jobs on em-prod, worst: SQL Replication 5/5 VMs, 06:40Z',
    );
  });

  it('list the first 10 members in chat and count the rest', () => {
    const text = description(copies(2000));
    expect(text.match(/^• /gm)).toHaveLength(10);
    expect(text).toContain('\n…and 1,990 more replica jobs\n');
  });

  it('list as many members as the e-mail budget allows, and say exactly how many more', () => {
    // Names alike in the 256 characters an attribute keeps: one group (see group.test.ts for names that split).
    const group = copies(2000, (e, i) => ({
      ...e,
      subject: { ...e.subject, name: `${'n'.repeat(260)} Job ${i}` },
      vms: [{ name: 'vm', result: 'Failed', state: 'Completed', reason: `r\n${'x'.repeat(1000)}` }],
    }));
    const rendered = email(group, UTC);
    expect(utf8Bytes(rendered.message)).toBeLessThanOrEqual(BODY_BUDGET_BYTES);
    expect(publishBytes(rendered)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    const listed = rendered.message.match(/^ {2}- n+ Job \d+ /gm)?.length ?? 0;
    expect(listed).toBeGreaterThan(200);
    expect(rendered.message).toContain(
      `\n  ...and ${(2000 - listed).toLocaleString('en-US')} more replica jobs not listed here.\n`,
    );
    // Each reason on one line, cut.
    expect(rendered.message).toMatch(/^ {6}vm: r x{290,}…$/m);
  });
});

describe('the events channel', () => {
  it('names the group right after the id, and only when the event was grouped', () => {
    const [event] = stormFailure().events as [AlertEvent];
    const grouped = JSON.parse(RENDERERS.events(event, { ...UTC, group: 'g1' }).message);
    expect(Object.keys(grouped).slice(0, 3)).toEqual(['version', 'id', 'group']);
    expect(grouped).toEqual({ ...event, group: 'g1' });
    expect(JSON.parse(RENDERERS.events(event, UTC).message)).toEqual(event);
  });
});
