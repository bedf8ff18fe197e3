import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../functions/alerts/event.ts';
import { toGsmAscii } from '../../functions/messages/ascii.ts';
import { escapeMarkdown } from '../../functions/messages/chat.ts';
import { BODY_BUDGET_BYTES, publishBytes, SNS_MAX_BYTES } from '../../functions/messages/limits.ts';
import { RENDERERS } from '../../functions/messages/render.ts';
import { utf8Bytes } from '../../functions/messages/text.ts';
import { formatTime, shortTime } from '../../functions/messages/time.ts';
import { Harness, jobRun, settings, vmTask } from '../support/alerts-data.ts';
import {
  cdpEnded,
  cdpFailure,
  jobFailure,
  jobReminderQuiet,
  jobResolved,
  sourceUnreachable,
  staleJob,
} from '../support/messages-data.ts';

const UTC = { timeZone: 'UTC' };
const { chat, email, events, sms } = RENDERERS;

describe('email', () => {
  it('has the documented subject line', () => {
    expect(email(jobFailure(), UTC).subject).toBe(
      '[FAILED] Replica job "SQL Replication" on srv02.tech.local: 2 of 5 VMs failed',
    );
  });

  it('shortens a long name first, keeping what happened, in ASCII', () => {
    const e = jobFailure();
    const { subject } = email({ ...e, subject: { ...e.subject, name: `Zürich ${'Ø'.repeat(200)}` } }, UTC);
    expect(subject).toMatch(
      /^\[FAILED\] Replica job "Zurich OOO+\.\.\." on srv02\.tech\.local: 2 of 5 VMs failed$/,
    );
    expect(subject?.length).toBeLessThanOrEqual(99);
  });

  it('lists the first VMs of a huge run within its budget and says how many more', () => {
    const e = jobFailure();
    const vms = Array.from({ length: 5000 }, (_, i) => ({
      name: `vm${i}`,
      result: 'Failed',
      state: 'Completed',
      reason: 'x'.repeat(3000),
    }));
    const rendered = email({ ...e, vms, vmsOmitted: 1000 }, UTC);
    expect(utf8Bytes(rendered.message)).toBeLessThanOrEqual(BODY_BUDGET_BYTES);
    expect(publishBytes(rendered)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    const listed = rendered.message.match(/^ {2}- vm\d+: Failed$/gm)?.length ?? 0;
    expect(listed).toBeGreaterThan(50);
    const more = rendered.message.match(/\.\.\.and ([\d,]+) more VMs not listed here/)?.[1];
    expect(Number(more?.replace(',', ''))).toBe(6000 - listed);
    expect(rendered.message).toContain(`${'x'.repeat(2000)} […cut 1000 characters]`);
  });

  it('keeps a reason verbatim, its lines indented, without control characters', () => {
    const e = jobFailure();
    const vms = [
      {
        name: 'vm\u0007one\nx',
        result: 'Failed',
        state: 'Completed',
        reason: 'line one\r\nline\u001b[31m two',
      },
    ];
    const { message } = email({ ...e, vms }, UTC);
    expect(message).toContain('  - vm one x: Failed\n      line one\n      line [31m two');
  });

  it("quotes Veeam's FailureMessage verbatim, its lines indented", () => {
    expect(email(cdpEnded(), UTC).message).toContain(
      "\n\nVeeam's failure message:\n    Policy session failed: 2 of 2 VMs are not protected.\n    Host esx03.tech.local is not available (connection timed out).\n",
    );
  });

  it("shows a stale job's session as its last run", () => {
    const { message } = email(staleJob(), UTC);
    expect(message).toMatch(/^Last run: +File Server Replica@/m);
    expect(message).toMatch(/^Last run result: +Success$/m);
    expect(message).not.toMatch(/^(Session|Result):/m);
  });
});

describe('sizes, through the engine', () => {
  const bytes = (value: unknown) => utf8Bytes(JSON.stringify(value));
  /** One poll of a run whose VMs all failed, as the engine decides it: the event and the state it stores. */
  const decide = (vms: number, reason: (i: number) => string, jobName = 'SQL Replication') => {
    const h = new Harness(settings({ retryHold: 0 }));
    const run = jobRun({ n: 1, start: 0, end: 10, result: 'Failed', jobName });
    run.tasks = Array.from({ length: vms }, (_, i) => ({
      ...vmTask(run.session, i + 1, 'Failed', reason(i)),
      vmDisplayName: `sql-vm-${String(i + 1).padStart(3, '0')}`,
    }));
    const [event] = h.poll({ now: 11, replica: [run] });
    if (!event) throw new Error('no event');
    return { event, state: [...h.store.values()] };
  };

  it('the e-mail lists 200 of 300 failed VMs with long reasons, and says how many more', () => {
    const reason = (i: number) => `Error: VM ${i} ${'could not be replicated, '.repeat(36)}`;
    const { event, state } = decide(300, reason);
    expect(event.vms).toHaveLength(200);
    expect(event.vmsOmitted).toBe(100);
    const { message } = email(event, UTC);
    expect(message.match(/^ {2}- sql-vm-\d+: Failed$/gm)).toHaveLength(200);
    expect(message).toContain(reason(199).trimEnd());
    expect(message).not.toContain(reason(200).trimEnd());
    expect(message).toContain('  ...and 100 more VMs not listed here');
    // The outbox stores the event as JSON and the state keeps its run: both well under DynamoDB's 400 KB.
    expect(bytes(event)).toBeLessThan(BODY_BUDGET_BYTES);
    expect(bytes(state)).toBeLessThan(BODY_BUDGET_BYTES);
  });

  it('keeps event and state bounded whatever the VMs, reasons and names, and every rendering under SNS', () => {
    // Control characters cost 6 bytes each in JSON; names and reasons of megabytes are cut.
    const { event, state } = decide(3000, () => '\u0001'.repeat(100_000), 'J\u0002'.repeat(250_000));
    expect(event.subject.name.length).toBeLessThan(1100);
    expect((event.vms?.length ?? 0) + (event.vmsOmitted ?? 0)).toBe(3000);
    expect(bytes(event)).toBeLessThan(BODY_BUDGET_BYTES);
    expect(bytes(state)).toBeLessThan(BODY_BUDGET_BYTES);
    for (const render of Object.values(RENDERERS))
      expect(publishBytes(render(event, UTC))).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(JSON.parse(events(event, UTC).message)).toEqual(event);
  });

  it.each([
    ['job name', { jobName: 'J'.repeat(500_000) }],
    ['backup server name', { server: 'S'.repeat(500_000) }],
  ])('cuts a %s of 500,000 characters in the event and the state', (_name, spec) => {
    const h = new Harness(settings({ retryHold: 0 }));
    const [event] = h.poll({
      now: 11,
      replica: [jobRun({ n: 1, start: 0, end: 10, result: 'Failed', ...spec })],
    });
    expect(event?.subject.name).toMatch(/^(SQL Replication|J{1000} \[…cut 499,?000 characters\])$/);
    expect(event?.subject.backupServer).toMatch(
      /^(srv02\.tech\.local|S{1000} \[…cut 499,?000 characters\])$/,
    );
    expect(bytes(event)).toBeLessThan(5000);
    expect(bytes([...h.store.values()])).toBeLessThan(10_000);
  });
});

describe('sms', () => {
  it.each([
    ['failure', jobFailure, 'FAILED SQL Replication @srv02: 2/5 VMs, 06:21Z, 3 runs'],
    ['resolved', jobResolved, 'RESOLVED SQL Replication @srv02: ok after 2h11m, 2 runs'],
    ['CDP', cdpFailure, 'FAILED CDP Tier-1 Apps @srv02: 2/3 VMs, 01:40Z (RPO breached)'],
    ['unreachable', sourceUnreachable, 'UNREACHABLE EM em-prod: TLS failed, 3 polls'],
  ])('%s', (_name, make, expected) => {
    expect(sms(make(), UTC).message).toBe(expected);
  });

  it.each([
    ['an IPv4 address whole', '10.20.30.40', '@10.20.30.40:'],
    ['an IPv6 address whole', 'fd00:10::20', '@fd00:10::20:'],
    ['a host name without domain as is', 'SRV02', '@SRV02:'],
  ])('shows the backup server by %s', (_name, backupServer, expected) => {
    const e = jobFailure();
    expect(sms({ ...e, subject: { ...e.subject, backupServer } }, UTC).message).toContain(` ${expected}`);
  });

  it('transliterates to GSM-7 basic ASCII', () => {
    expect(toGsmAscii('Straße Ærø Łódź “q” {a}|b~c`d\\e 東')).toBe(`Strasse AEro Lodz "q" (a)/b-c'd/e ?`);
  });

  it('fits one segment whatever the name', () => {
    const e = jobFailure();
    const { message } = sms({ ...e, subject: { ...e.subject, name: 'Ω'.repeat(500) } }, UTC);
    expect(message.length).toBeLessThanOrEqual(140);
    expect(message).toMatch(/^FAILED \?+\.\. @srv02: 2\/5 VMs, 06:21Z, 3 runs$/);
  });
});

describe('chat', () => {
  const notification = (e: AlertEvent) => JSON.parse(chat(e, UTC).message);

  it('is an AWS Chatbot custom notification', () => {
    expect(notification(jobFailure())).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: jobFailure().id,
      content: {
        textType: 'client-markdown',
        title: '🔴 FAILED: Replica job SQL Replication on srv02.tech.local',
      },
    });
    expect(notification(jobFailure()).content.nextSteps.length).toBeGreaterThan(0);
  });

  it('neutralises markdown, links and mentions from the EM with look-alikes, not escapes', () => {
    expect(escapeMarkdown('<!channel> *x* _y_ [a](b) `c` ~d~ @here\nz')).toBe(
      '‹!channel> ∗x∗ ˍyˍ [a]\u200b(b) ˋcˋ ∼d∼ @\u200bhere z',
    );
    expect(escapeMarkdown('> quoted')).toBe('\u00ad> quoted');
  });

  it('leaves names that cannot format as the EM wrote them', () => {
    expect(escapeMarkdown('Replica_SQL_01 on srv\\02 & co > x')).toBe('Replica_SQL_01 on srv\\02 & co > x');
  });

  it("neutralises the EM's FailureMessage too", () => {
    const e = jobFailure();
    const session = e.session && { ...e.session, failureMessage: '<!channel> *urgent* [fix](http://e.vil)' };
    const { description } = notification({ ...e, session }).content;
    expect(description).toContain('\n> ‹!channel> ∗urgent∗ [fix]\u200b(http://e.vil)\n');
  });

  it('neutralises the name in the notification summary too', () => {
    const e = jobFailure();
    const named = { ...e, subject: { ...e.subject, name: '<!channel> *x* [a](b)' } };
    expect(notification(named).metadata.summary).toBe(
      'FAILED: ‹!channel> ∗x∗ [a]\u200b(b) - 2 of 5 VMs failed',
    );
  });

  it('writes its own next steps without entities or escapes', () => {
    const [first] = notification(jobFailure()).content.nextSteps;
    expect(first).toContain('(Home > Replicas / Last 24 hours)');
  });

  it('threads every notification about one subject together', () => {
    expect(notification(jobFailure()).metadata.threadId).toBe(notification(jobResolved()).metadata.threadId);
  });
});

describe('a reminder for a job that stopped running', () => {
  it('says plainly in every channel that no run has finished since the last one ended', () => {
    const e = jobReminderQuiet();
    const since = 'No run has finished since Tue 17 Jun 2025 00:10 UTC';
    expect(email(e, UTC).subject).toBe(
      '[STILL FAILING] Replica job "SQL Replication" on srv02.tech.local: no run finished for 2 d',
    );
    expect(email(e, UTC).message).toContain(since);
    expect(sms(e, UTC).message).toBe(
      'STILL FAILING SQL Replication @srv02: no run since 17 Jun 00:10Z, 1 failed before',
    );
    const { content } = JSON.parse(chat(e, UTC).message);
    expect(content.description).toContain(since);
    expect(content.nextSteps[0]).toContain('is enabled and scheduled');
    expect(JSON.parse(events(e, UTC).message).quietSince).toBe('2025-06-17T00:10:00.000Z');
  });
});

describe('attributes and events', () => {
  it('carries the filter attributes on every channel', () => {
    for (const render of Object.values(RENDERERS)) {
      expect(render(jobFailure(), UTC).attributes).toEqual({
        event: 'failure',
        severity: 'Failed',
        alertSeverity: 'Failed',
        subjectKind: 'replica-job',
        enterpriseManager: 'em-prod',
        job: 'SQL Replication',
        backupServer: 'srv02.tech.local',
      });
    }
  });

  it('leaves job attributes off EM events', () => {
    expect(events(sourceUnreachable(), UTC).attributes).not.toHaveProperty('job');
  });

  it('publishes the JSON event itself', () => {
    const e: AlertEvent = jobFailure();
    expect(JSON.parse(events(e, UTC).message)).toEqual(e);
  });

  it.each([
    ['Enterprise Manager events', sourceUnreachable],
    ['stale events (the VMs of the last run are not known)', staleJob],
  ])('leaves VMs off %s', (_name, make) => {
    const json = JSON.parse(events(make(), UTC).message);
    expect(json).not.toHaveProperty('vms');
    expect(json).not.toHaveProperty('vmsOmitted');
    expect(json.counts).toBeNull();
  });
});

describe('times, with the zone as people there write it', () => {
  it.each([
    ['UTC', '2025-06-17T05:41:00Z', 'Tue 17 Jun 2025 05:41 UTC', '05:41Z'],
    ['Europe/Berlin', '2025-06-17T05:41:00Z', 'Tue 17 Jun 2025 07:41 CEST', '07:41 CEST'],
    ['Europe/London', '2025-01-17T05:41:00Z', 'Fri 17 Jan 2025 05:41 GMT', '05:41 GMT'],
    ['America/New_York', '2025-06-17T05:41:00Z', 'Tue 17 Jun 2025 01:41 EDT', '01:41 EDT'],
    ['America/Los_Angeles', '2025-01-17T05:41:00Z', 'Thu 16 Jan 2025 21:41 PST', '21:41 PST'],
    ['Australia/Sydney', '2025-06-17T05:41:00Z', 'Tue 17 Jun 2025 15:41 AEST', '15:41 AEST'],
    ['Asia/Kathmandu', '2025-06-17T05:41:00Z', 'Tue 17 Jun 2025 11:26 GMT+5:45', '11:26 GMT+5:45'],
  ])('%s', (timeZone, iso, long, short) => {
    expect(formatTime(iso, timeZone)).toBe(long);
    expect(shortTime(iso, timeZone)).toBe(short);
  });
});
