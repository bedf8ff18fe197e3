// What the EM says about sessions is input too: names and reasons with markdown, HTML, mentions, newlines,
// control characters and right-to-left overrides; fields of absurd size; names and UIDs shaped to break out of
// the query filter syntax. The poll must read them, render every channel safely and within SNS's limits, and
// keep the exact text only in the JSON event.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AlertEvent, EVENT_VMS_BYTES, MAX_EVENT_VMS } from '../../functions/alerts/event.ts';
import {
  publishBytes,
  SMS_MAX_BYTES,
  SNS_MAX_BYTES,
  SUBJECT_MAX_CHARS,
} from '../../functions/messages/limits.ts';
import { type Scenario, ScenarioBuilder } from '../../functions/simulator/index.ts';
import { TOPICS } from '../faults/support.ts';
import { findCanary } from '../support/canary.ts';
import { closeStarted, type PollResult, pollVia, simulator, stopDynamo, transcript } from './support.ts';

const NOW = '2026-11-25T08:00:00.000Z';
const HOSTILE = [
  '**bold** _it_ `code` [link](https://evil.example) <script>alert(1)</script> <!channel> @here',
  'line1\nline2\r\nline3\ttab',
  'ctl\u0000\u0007\u001b[31mred\u001b[0m\u007f',
  'rtl \u202Egnp.exe\u202C \u200F\u2066x\u2069',
  '# Heading\n> quote\n- item | a | b |',
];
/** Control characters (newline aside), and the bidi controls that reorder what a reader sees. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ONE_LINE_UNSAFE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
/** What XML 1.0 cannot carry: the EM's XML has U+FFFD there, its JSON the characters themselves. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

afterEach(closeStarted);
afterAll(stopDynamo);

async function pollScenario(
  build: (b: ScenarioBuilder) => void,
  edit: (s: Scenario) => void = () => {},
  em: Parameters<typeof pollVia>[1] = {},
): Promise<PollResult> {
  const b = new ScenarioBuilder({ now: NOW, seed: 'hostile' });
  build(b);
  const scenario = b.build();
  edit(scenario);
  const sim = await simulator(scenario);
  return pollVia(sim.url, em, NOW);
}

const on = (r: PollResult, channel: keyof typeof TOPICS) =>
  r.published.filter((p) => p.TopicArn === TOPICS[channel]);

describe('names and reasons', () => {
  const asRead = (format: 'xml' | 'json', text: string) =>
    format === 'json' ? text : text.replace(NOT_IN_XML, '\uFFFD');

  it.each(['xml', 'json'] as const)(
    'are kept exactly in the JSON event, rendered inert elsewhere (%s)',
    async (format) => {
      const r = await pollScenario(
        (b) => {
          HOSTILE.forEach((name, i) => {
            b.replicaJob(name).run({
              start: '2026-11-25T07:00:00Z',
              durationMin: 10,
              vms: [
                { name: HOSTILE[(i + 1) % 5] ?? '', result: 'Failed', reason: HOSTILE[(i + 2) % 5] ?? null },
              ],
            });
          });
        },
        undefined,
        { format },
      );
      expect(r.summary).toMatchObject({ status: 'ok', eventsDecided: HOSTILE.length, publishFailures: 0 });
      const read = HOSTILE.map((text) => asRead(format, text));
      expect(r.events.map((e) => e.subject.name).sort()).toEqual([...read].sort());
      for (const e of r.events) expect(e.vms?.[0]?.reason).toBe(read[(read.indexOf(e.subject.name) + 2) % 5]);

      for (const p of r.published) {
        for (const value of Object.values(p.MessageAttributes ?? {}))
          expect(value.StringValue).not.toMatch(ONE_LINE_UNSAFE);
        expect(publishBytes({ message: p.Message ?? '', attributes: {} })).toBeLessThan(SNS_MAX_BYTES);
      }
      for (const email of on(r, 'email')) {
        expect(email.Subject?.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
        expect(email.Subject).not.toMatch(ONE_LINE_UNSAFE);
        expect(email.Message).not.toMatch(UNSAFE);
      }
      for (const sms of on(r, 'sms')) {
        expect(sms.Message).toMatch(/^[\x20-\x7e]*$/);
        expect(Buffer.byteLength(sms.Message ?? '')).toBeLessThanOrEqual(SMS_MAX_BYTES);
      }
      for (const chat of on(r, 'chat')) {
        const { content } = JSON.parse(chat.Message ?? '') as {
          content: { title: string; description: string };
        };
        const text = `${content.title}\n${content.description}`;
        expect(content.title).not.toMatch(ONE_LINE_UNSAFE);
        expect(text).not.toMatch(UNSAFE);
        // Markdown the EM wrote stays escaped (a backslash before it), HTML and mentions defused.
        expect(text).not.toMatch(/<script>|<!channel>|@here|(?<!\\)\]\(https:|(?<!\\)`code|(?<!\\)\*\*bold/);
      }
    },
  );

  /** One job whose names, reasons and VM count are `scale` times absurd. */
  const absurd = (scale: number) => (b: ScenarioBuilder) => {
    const huge = (what: string, n: number) => `${what} `.repeat(Math.ceil(n / (what.length + 1))).slice(0, n);
    b.replicaJob(huge('Job', 20_000 * scale), { backupServer: huge('vbr', 5_000 * scale) }).run({
      start: '2026-11-25T07:00:00Z',
      durationMin: 10,
      failureMessage: huge('Why', 500_000 * scale),
      vms: Array.from({ length: 300 }, (_, i) => ({
        name: `${huge('vm', 2_000 * scale)}${i}`,
        result: 'Failed' as const,
        reason: huge('Error:', i === 0 ? 1_000_000 * scale : 500),
      })),
    });
  };

  it('of absurd size: the poll reads them, every message stays within SNS limits', async () => {
    const r = await pollScenario(absurd(1));
    expect(r.summary?.error).toBeUndefined();
    expect(r.summary).toMatchObject({ status: 'ok', eventsDecided: 1, publishFailures: 0 });
    expect(r.ms).toBeLessThan(20_000);
    const [event] = r.events as [AlertEvent];
    expect((event.vms?.length ?? 0) + (event.vmsOmitted ?? 0)).toBe(300);
    expect(event.vms?.length).toBeLessThanOrEqual(MAX_EVENT_VMS);
    expect(Buffer.byteLength(JSON.stringify(event.vms))).toBeLessThanOrEqual(EVENT_VMS_BYTES);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(300_000); // stored whole: DynamoDB items hold 400 KB
    for (const p of r.published) {
      const attributes = Object.fromEntries(
        Object.entries(p.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
      );
      expect(publishBytes({ message: p.Message ?? '', attributes })).toBeLessThan(SNS_MAX_BYTES);
    }
    expect(on(r, 'email')[0]?.Subject?.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
  }, 60_000);

  it('beyond the response size limit: too-large, a clear failure of that poll', async () => {
    // A page of these tasks is over 32 MB: time enough to send it, so that the size limit is what stops it.
    const r = await pollScenario(absurd(10), undefined, { requestTimeoutMs: 30_000 });
    expect(r.summary?.error?.kind).toBe('too-large');
    expect(r.ms).toBeLessThan(30_000);
  }, 60_000);
});

describe('filter injection', () => {
  it.each(['SQL") | (JobName=="Web', 'a" , JobSessionUid=="*', 'x;y,z&page=2', 'back\\slash\\"quote'])(
    'a job named %j and a session UID made of it read only their own tasks',
    async (evil) => {
      const r = await pollScenario(
        (b) => {
          for (const [name, vm, start] of [
            ['Web', 'web01', '07:00'],
            [evil, 'evil01', '07:10'],
          ] as const) {
            const failed = { name: vm, result: 'Failed' as const, reason: `${vm} reason` };
            b.replicaJob(name).run({ start: `2026-11-25T${start}:00Z`, vms: [failed] });
          }
        },
        // The UID is the EM's to choose; one that carries filter syntax must still be quoted as one value.
        (s) => {
          const session = s.replicaJobSessions.find((j) => j.jobName === evil);
          const uid = `urn:veeam:ReplicaJobSession:${evil}`;
          for (const task of s.replicaTaskSessions.filter((t) => t.jobSessionUid === session?.uid))
            task.jobSessionUid = uid;
          if (session) session.uid = uid;
        },
      );
      const byJob = Object.fromEntries(r.events.map((e) => [e.subject.name, e.vms?.map((v) => v.name)]));
      expect(byJob).toEqual({ Web: ['web01'], [evil]: ['evil01'] });
    },
  );
});

it('never shows the password, plain or as Basic credentials', () => {
  const all = transcript.join('\n');
  expect(transcript.length).toBeGreaterThan(5);
  expect(findCanary(all)).toEqual([]);
});
