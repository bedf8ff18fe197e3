// Every rendering of any event, group or digest, however hostile its text, stays within SNS's limits and keeps its
// format.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  type AlertSeverity,
  cutText,
  EVENT_TEXT_CHARS,
} from '../../functions/alerts/event.ts';
import type { Silence } from '../../functions/alerts/silence.ts';
import { freshSource } from '../../functions/alerts/source.ts';
import type { JobState, SourceState } from '../../functions/alerts/state.ts';
import { DAY } from '../../functions/duration.ts';
import { CATALOGUE } from '../../functions/hints/catalogue.ts';
import { escapeMarkdown } from '../../functions/messages/chat.ts';
import { buildDigest } from '../../functions/messages/digest.ts';
import { groupAlerts } from '../../functions/messages/group.ts';
import {
  BODY_BUDGET_BYTES,
  publishBytes,
  SMS_MAX_BYTES,
  SNS_MAX_BYTES,
  SUBJECT_MAX_CHARS,
} from '../../functions/messages/limits.ts';
import { DIGEST_RENDERERS, GROUP_RENDERERS, RENDERERS } from '../../functions/messages/render.ts';
import { line, utf8Bytes } from '../../functions/messages/text.ts';
import type { Channel, PeopleChannel, Rendered } from '../../functions/messages/types.ts';
import { Harness, jobRun, settings } from '../support/alerts-data.ts';
import { jobFailure } from '../support/messages-data.ts';

/** Text as an EM might send it, and worse: controls, markup, emoji, other scripts, now and then a megabyte. */
const nasty = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '<!channel> *bold* _x_ `code` [link](http://e.vil) <b>html</b>',
      'Zürich Ærø Łódź ß 東京 🚀',
      'a\r\nb\u0000c\u202eevil',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 1_100_000 }).map((n) => 'ü€😀x'.repeat(n / 4)) },
  // Veeam's texts the hints know (issue 17): hints shown on every channel, within its limits too.
  { weight: 2, arbitrary: fc.constantFrom(...CATALOGUE.map((entry) => entry.sample)) },
);
/** As many local hints as the settings take, every text as long as they allow, all matching a catalogue text. */
const LOCAL_HINTS = Array.from({ length: 50 }, (_, i) => ({
  id: `local-${i}`,
  pattern: `${CATALOGUE[i % CATALOGUE.length]?.match.split('|')[0]}`,
  cause: `${i} ${'ü'.repeat(497)}`,
  steps: ['€'.repeat(500), '😀'.repeat(250), '<b>*x*</b>'.repeat(50)],
  url: `https://example.com/${'x'.repeat(460)}`,
}));
const iso = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((t) => new Date(t).toISOString());

/** Any event, with up to `maxVms` VMs listed. */
const eventWith = (maxVms: number): fc.Arbitrary<AlertEvent> =>
  fc
    .record({
      event: fc.constantFrom('failure', 'reminder', 'resolved', 'stale', 'source-unreachable'),
      severity: fc.constantFrom('Failed', 'Warning', 'Success'),
      kind: fc.constantFrom('replica-job', 'cdp-policy', 'enterprise-manager'),
      name: nasty,
      server: fc.option(nasty),
      em: nasty,
      sessionName: nasty,
      failureMessage: fc.option(nasty),
      vms: fc.array(
        fc.record({
          name: nasty,
          result: fc.constantFrom('Failed', 'Warning', 'None'),
          reason: fc.option(nasty),
        }),
        { maxLength: maxVms },
      ),
      extraVms: fc.integer({ min: 0, max: 5000 }),
      times: fc.tuple(iso, iso, iso),
      failedRuns: fc.option(fc.integer({ min: 0, max: 100_000 })),
      cause: nasty,
      held: fc.option(fc.record({ id: nasty, reason: nasty, by: fc.option(nasty) })),
    })
    .map((g) => {
      const base = jobFailure();
      const [a, b, c] = g.times.sort();
      return {
        ...base,
        event: g.event,
        severity: g.severity,
        subject: {
          kind: g.kind,
          uid: 'urn:x',
          name: g.name,
          backupServer: g.server,
          enterpriseManager: g.em,
        },
        session: base.session && {
          ...base.session,
          name: g.sessionName,
          failureMessage: g.failureMessage,
          creationTime: a,
          endTime: b,
        },
        vms: g.vms.map((v) => ({ ...v, state: 'Completed' })),
        vmsOmitted: g.extraVms,
        counts: { total: g.vms.length + g.extraVms, failed: g.vms.length, warning: 0, success: g.extraVms },
        failingSince: a,
        detectedAt: c,
        failedRuns: g.failedRuns,
        stale: { lastRunEnd: a, thresholdMinutes: 1560, basis: 'few-runs' },
        source: { failedPolls: 3, cause: { kind: 'tls', message: g.cause } },
        // As the engine stores them: cut like every text of an event.
        ...(g.held && {
          afterSilence: {
            id: cutText(g.held.id, EVENT_TEXT_CHARS),
            reason: cutText(g.held.reason, EVENT_TEXT_CHARS),
            by: g.held.by === null ? null : cutText(g.held.by, EVENT_TEXT_CHARS),
            heldSince: a,
          },
        }),
      } satisfies AlertEvent;
    });

const event = eventWith(40);

const GSM_BASIC_ASCII = /^[ !"#$%&'()*+,\-./0-9:;<=>?@A-Z_a-z]*$/;
const timeZone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu');

/** What every people channel promises of a rendering, whether of one event or of a group. */
function expectWithinLimits(r: Record<PeopleChannel, Rendered>, kind: string, id: string): void {
  for (const [channel, rendered] of Object.entries(r)) {
    expect({ channel, fits: publishBytes(rendered) <= SNS_MAX_BYTES }).toEqual({ channel, fits: true });
    expect(rendered.attributes.event).toBe(kind);
    for (const value of Object.values(rendered.attributes).flat()) expect(value).toMatch(/^[^\p{Cc}]+$/u);
  }
  const { email, sms } = r;
  const subject = email.subject ?? '';
  expect(Array.from(subject).length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
  expect(subject).toMatch(/^[ -~]+$/);
  expect(sms.message.length).toBeLessThanOrEqual(SMS_MAX_BYTES);
  expect(sms.message).toMatch(GSM_BASIC_ASCII);
  // Line breaks are the layout's own; no other control, separator or bidi override gets through.
  expect(email.message).not.toMatch(/(?!\n)[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]/u);
  const chat = JSON.parse(r.chat.message);
  expect(chat).toMatchObject({
    version: '1.0',
    source: 'custom',
    id,
    content: { textType: 'client-markdown' },
  });
  expect(typeof chat.content.title).toBe('string');
  expect(chat.content.description.length).toBeGreaterThan(0);
  expect(chat.content.title).not.toMatch(/[<\n]/);
}

/**
 * Up to 2,000 events of jobs and policies, made from a few hostile ones, each its own subject and name; names are
 * cut as the engine cuts them (grouping sorts by name, and 2,000 distinct megabyte names would not fit in memory).
 */
const storm = fc
  .record({
    // A grouped message shows a member's first reason only: a few VMs each are enough.
    events: fc.array(eventWith(3), { minLength: 2, maxLength: 8 }),
    copies: fc.integer({ min: 1, max: 250 }),
  })
  .map(({ events, copies }) => {
    const names = events.map((e) => cutText(e.subject.name, EVENT_TEXT_CHARS));
    return Array.from({ length: events.length * copies }, (_, i): AlertEvent => {
      const e = events[i % events.length] as AlertEvent;
      const kind = e.subject.kind === 'enterprise-manager' ? 'replica-job' : e.subject.kind;
      const name = `${i} ${names[i % events.length]}`;
      return { ...e, id: `event-${i}`, subject: { ...e.subject, kind, uid: `u${i}`, name } };
    });
  });

/** A failing job's state as the engine keeps it, and its run: what the estates below vary. */
const { base, run } = (() => {
  const h = new Harness();
  h.poll({ now: 30, replica: [jobRun({ n: 1, start: 0, end: 10, result: 'Failed' }, ['Failed'])] });
  const state = h.job(1);
  if (!state?.alert?.last) throw new Error('no failing job');
  return { base: { ...state, alert: state.alert }, run: state.alert.last };
})();
/** What the EM or a person wrote, as the engine keeps it: cut like every text of an event. */
const kept = nasty.map((text) => cutText(text, EVENT_TEXT_CHARS));
const severity = fc.constantFrom<AlertSeverity>('Failed', 'Warning');
const hold = fc.record({ id: kept, reason: kept, by: fc.option(kept) });

/** One job or policy in any status: its last run, an open alert or held failure, a hold, a schedule, or none. */
const subject = fc.record({
  kind: fc.constantFrom<JobState['kind']>('replica-job', 'cdp-policy'),
  name: kept,
  server: fc.option(kept),
  lastRun: fc.option(fc.record({ result: kept, end: iso })),
  running: fc.option(iso),
  alert: fc.option(fc.record({ severity: fc.option(severity), since: iso, failedRuns: fc.nat() })),
  held: fc.option(fc.record({ severity, since: iso, failedRuns: fc.nat() })),
  silenced: fc.option(hold),
  schedule: fc.option(
    fc.record({
      configured: fc.option(fc.boolean()),
      enabled: fc.option(fc.boolean()),
      nextRun: fc.option(iso),
    }),
  ),
});

/**
 * Any estate of one EM, up to 2,400 jobs and policies (copies of a few hostile ones), with a silence in force over
 * all of them or not, and its EM reachable or not.
 */
const estate = fc
  .record({
    subjects: fc.array(subject, { maxLength: 6 }),
    copies: fc.integer({ min: 1, max: 400 }),
    em: nasty,
    down: fc.option(fc.record({ failedPolls: fc.nat(), cause: kept })),
    silence: fc.option(hold),
    now: iso,
  })
  .map((g) => {
    const states = Array.from({ length: g.subjects.length * g.copies }, (_, i): JobState => {
      const s = g.subjects[i % g.subjects.length] as (typeof g.subjects)[number];
      return {
        ...base,
        kind: s.kind,
        em: g.em,
        uid: `u${i}`,
        name: `${i} ${s.name}`,
        backupServer: s.server,
        lastRun: s.lastRun && { ...run.session, result: s.lastRun.result, endTime: s.lastRun.end },
        running: s.running === null ? null : { uid: 'running', creationTime: s.running },
        alert: s.alert && { ...base.alert, ...s.alert },
        hold: s.held && { ...s.held, last: run, at: s.held.since, trigger: 'held' },
        ...(s.silenced && { silenced: { ...s.silenced, since: g.now, told: false } }),
        ...(s.schedule && { schedule: s.schedule }),
      };
    });
    const source: SourceState = {
      ...freshSource(g.em),
      lastPollAt: g.now,
      ...(g.down && {
        failedPolls: g.down.failedPolls,
        firstFailedAt: g.now,
        cause: { kind: 'unreachable', message: g.down.cause },
      }),
    };
    const silences: Silence[] = g.silence
      ? [
          {
            ...g.silence,
            job: '*',
            server: null,
            em: null,
            from: new Date(Date.parse(g.now) - DAY).toISOString(),
            until: new Date(Date.parse(g.now) + DAY).toISOString(),
            untilResolved: false,
          },
        ]
      : [];
    return buildDigest({ em: g.em, now: g.now, states: [...states, source], silences, settings: settings() });
  });

describe('renderer properties', () => {
  it('every channel stays within its limits and keeps its format, for any event', () => {
    fc.assert(
      fc.property(event, timeZone, (e, timeZone) => {
        const r = Object.fromEntries(
          Object.entries(RENDERERS).map(([channel, render]) => [
            channel,
            render(e, { timeZone, hints: LOCAL_HINTS }),
          ]),
        ) as Record<Channel, Rendered>;
        expectWithinLimits(r, e.event, e.id);
        expect(r.events.attributes.event).toBe(e.event);
        const json = JSON.parse(r.events.message);
        expect(json).toMatchObject({ version: 1, id: e.id, event: e.event, severity: e.severity });
        expect(json.vms.length + json.vmsOmitted).toBe((e.vms?.length ?? 0) + (e.vmsOmitted ?? 0));
      }),
      { numRuns: 200 },
    );
  });

  it('every grouped message stays within its limits and keeps its format, for any storm', () => {
    fc.assert(
      fc.property(storm, timeZone, (events, timeZone) => {
        for (const group of groupAlerts(events, 1).groups) {
          const r = Object.fromEntries(
            Object.entries(GROUP_RENDERERS).map(([channel, render]) => [
              channel,
              render(group, { timeZone }),
            ]),
          ) as Record<PeopleChannel, Rendered>;
          expectWithinLimits(r, group.event, group.id);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('every digest stays within its limits and keeps its format, for any estate', () => {
    fc.assert(
      fc.property(estate, timeZone, (digest, timeZone) => {
        const r = Object.fromEntries(
          Object.entries(DIGEST_RENDERERS).map(([channel, render]) => [
            channel,
            render(digest, { timeZone }),
          ]),
        ) as Record<Channel, Rendered>;
        expectWithinLimits(r, 'digest', digest.id);
        expect(utf8Bytes(r.events.message)).toBeLessThanOrEqual(BODY_BUDGET_BYTES);
        const json = JSON.parse(r.events.message);
        expect(json).toMatchObject({ version: 1, type: 'digest', id: digest.id, counts: digest.counts });
        expect(json.items.length + json.itemsOmitted).toBe(digest.items.length);
        expect(Object.values(digest.counts).reduce((a, b) => a + b, 0)).toBe(digest.items.length);
      }),
      { numRuns: 40 },
    );
  });

  it('markdown from the EM cannot format, link or mention, and nothing shows an escape', () => {
    const markup = fc.constantFrom(
      '<!channel>',
      '*b*',
      '_i_',
      '~s~',
      '`c`',
      '[l](http://e.vil)',
      '@here',
      '> q',
      '&lt;',
      '\\',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(markup).map((a) => a.join(' ')),
    );
    fc.assert(
      fc.property(text, (text) => {
        const escaped = escapeMarkdown(text, 1000);
        const count = (s: string, c: string) => s.split(c).length - 1;
        expect(escaped).not.toMatch(/[<*~`\n]|\]\(|^>/);
        // `_` only inside a word, where neither Slack nor CommonMark makes it italic.
        expect(escaped).not.toMatch(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u);
        expect(escaped).not.toMatch(/@(?!\u200b)/);
        // No backslash escapes or entities of ours: what the EM wrote is what a reader sees.
        for (const c of ['\\', '&']) expect(count(escaped, c)).toBe(count(line(text, 1000), c));
      }),
      { numRuns: 300 },
    );
  });
});
