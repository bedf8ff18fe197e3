import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../functions/alerts/event.ts';
import { toGsmAscii } from '../functions/messages/ascii.ts';
import { escapeMarkdown } from '../functions/messages/chat.ts';
import { renderAll } from '../functions/messages/render.ts';
import { formatTime, shortTime } from '../functions/messages/time.ts';
import { cdpFailure, jobFailure, jobResolved, sourceUnreachable } from './messages-data.ts';

const UTC = { timeZone: 'UTC' };

describe('email', () => {
  it('has the documented subject line', () => {
    expect(renderAll(jobFailure(), UTC).email.subject).toBe(
      '[FAILED] Replica job "SQL Replication" on srv02.tech.local: 2 of 5 VMs failed',
    );
  });

  it('shortens a long name first, keeping what happened, in ASCII', () => {
    const e = jobFailure();
    const subject = renderAll({ ...e, subject: { ...e.subject, name: `Zürich ${'Ø'.repeat(200)}` } }, UTC)
      .email.subject;
    expect(subject).toMatch(
      /^\[FAILED\] Replica job "Zurich OOO+\.\.\." on srv02\.tech\.local: 2 of 5 VMs failed$/,
    );
    expect(subject?.length).toBeLessThanOrEqual(99);
  });

  it('lists the first VMs of a huge run and says how many more', () => {
    const e = jobFailure();
    const vms = Array.from({ length: 5000 }, (_, i) => ({
      name: `vm${i}`,
      result: 'Failed',
      state: 'Completed',
      reason: 'x'.repeat(3000),
    }));
    const { message } = renderAll({ ...e, vms, vmsOmitted: 1000 }, UTC).email;
    expect(message).toMatch(/\.\.\.and 5,8\d\d more VMs not listed here/);
    expect(message).toContain('[…cut: 3,000 characters in all]');
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
    const { message } = renderAll({ ...e, vms }, UTC).email;
    expect(message).toContain('  - vm one x: Failed\n      line one\n      line [31m two');
  });
});

describe('sms', () => {
  it.each([
    ['failure', jobFailure, 'FAILED SQL Replication @srv02: 2/5 VMs, 06:21Z, 3 runs'],
    ['resolved', jobResolved, 'RESOLVED SQL Replication @srv02: ok after 2h11m, 2 runs'],
    ['CDP', cdpFailure, 'FAILED CDP Tier-1 Apps @srv02: 2/3 VMs, 01:40Z'],
    ['unreachable', sourceUnreachable, 'UNREACHABLE EM em-prod: TLS certificate not trusted, 3 polls'],
  ])('%s', (_name, make, expected) => {
    expect(renderAll(make(), UTC).sms.message).toBe(expected);
  });

  it('transliterates to GSM-7 basic ASCII', () => {
    expect(toGsmAscii('Straße Ærø Łódź “q” {a}|b~c`d\\e 東')).toBe(`Strasse AEro Lodz "q" (a)/b-c'd/e ?`);
  });

  it('fits one segment whatever the name', () => {
    const e = jobFailure();
    const { message } = renderAll({ ...e, subject: { ...e.subject, name: 'Ω'.repeat(500) } }, UTC).sms;
    expect(message.length).toBeLessThanOrEqual(140);
    expect(message).toMatch(/^FAILED \?+\.\. @srv02: 2\/5 VMs, 06:21Z, 3 runs$/);
  });
});

describe('chat', () => {
  it('is an AWS Chatbot custom notification', () => {
    const chat = JSON.parse(renderAll(jobFailure(), UTC).chat.message);
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: jobFailure().id,
      content: {
        textType: 'client-markdown',
        title: '🔴 FAILED: Replica job SQL Replication on srv02.tech.local',
      },
    });
    expect(chat.content.nextSteps.length).toBeGreaterThan(0);
  });

  it('escapes markdown, links and mentions from the EM', () => {
    expect(escapeMarkdown('<!channel> *x* _y_ [a](b) `c` @here\nz')).toBe(
      '&lt;!channel&gt; \\*x\\* \\_y\\_ \\[a\\](b) \\`c\\` @\u200bhere z',
    );
  });

  it('threads every notification about one subject together', () => {
    const a = JSON.parse(renderAll(jobFailure(), UTC).chat.message);
    const b = JSON.parse(renderAll(jobResolved(), UTC).chat.message);
    expect(a.metadata.threadId).toBe(b.metadata.threadId);
  });
});

describe('attributes and events', () => {
  it('carries the filter attributes on every channel', () => {
    for (const rendered of Object.values(renderAll(jobFailure(), UTC))) {
      expect(rendered.attributes).toEqual({
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
    expect(renderAll(sourceUnreachable(), UTC).events.attributes).not.toHaveProperty('job');
  });

  it('publishes the JSON event itself', () => {
    const e: AlertEvent = jobFailure();
    expect(JSON.parse(renderAll(e, UTC).events.message)).toEqual(e);
  });
});

describe('times', () => {
  it.each([
    ['UTC', 'Tue 17 Jun 2025 05:41 UTC', '05:41Z'],
    ['Europe/Berlin', 'Tue 17 Jun 2025 07:41 CEST', '07:41 CEST'],
    ['America/New_York', 'Tue 17 Jun 2025 01:41 GMT-4', '01:41 GMT-4'],
  ])('%s', (timeZone, long, short) => {
    expect(formatTime('2025-06-17T05:41:00Z', timeZone)).toBe(long);
    expect(shortTime('2025-06-17T05:41:00Z', timeZone)).toBe(short);
  });
});
