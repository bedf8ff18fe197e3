// Each channel's rendering of representative events, as files to read: in an inbox, on a phone, in Slack.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GROUP_RENDERERS, RENDERERS } from '../../functions/messages/render.ts';
import { REPRESENTATIVE_GROUPS, stormFailure } from '../support/group-data.ts';
import { REPRESENTATIVE } from '../support/messages-data.ts';

describe.each(Object.entries(REPRESENTATIVE))('%s', (name, make) => {
  const event = make();
  const options = { timeZone: 'Europe/Berlin' };
  it('email', async () => {
    const { subject, message } = RENDERERS.email(event, options);
    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot(
      `__snapshots__/${name}.email.txt`,
    );
  });
  it('sms', async () => {
    const { message } = RENDERERS.sms(event, options);
    await expect(`${message}\n`).toMatchFileSnapshot(`__snapshots__/${name}.sms.txt`);
  });
  it('chat', async () => {
    const { message } = RENDERERS.chat(event, options);
    await expect(`${JSON.stringify(JSON.parse(message), null, 2)}\n`).toMatchFileSnapshot(
      `__snapshots__/${name}.chat.json`,
    );
  });
  it('events', async () => {
    const { message, attributes } = RENDERERS.events(event, options);
    await expect(
      `${JSON.stringify({ attributes, message: JSON.parse(message) }, null, 2)}\n`,
    ).toMatchFileSnapshot(`__snapshots__/${name}.events.json`);
  });
});

// A storm's grouped messages on the people channels, and one of its events as the events channel sends it.
describe.each(Object.entries(REPRESENTATIVE_GROUPS))('%s', (name, make) => {
  const group = make();
  const options = { timeZone: 'Europe/Berlin' };
  it('email', async () => {
    const { subject, message } = GROUP_RENDERERS.email(group, options);
    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot(
      `__snapshots__/${name}.email.txt`,
    );
  });
  it('sms', async () => {
    const { message } = GROUP_RENDERERS.sms(group, options);
    await expect(`${message}\n`).toMatchFileSnapshot(`__snapshots__/${name}.sms.txt`);
  });
  it('chat', async () => {
    const { message } = GROUP_RENDERERS.chat(group, options);
    await expect(`${JSON.stringify(JSON.parse(message), null, 2)}\n`).toMatchFileSnapshot(
      `__snapshots__/${name}.chat.json`,
    );
  });
});

it('group-failure: each event on the events channel names its group', async () => {
  const group = stormFailure();
  const [event] = group.events;
  if (!event) throw new Error('an empty group');
  const { message, attributes } = RENDERERS.events(event, { timeZone: 'Europe/Berlin', group: group.id });
  await expect(
    `${JSON.stringify({ attributes, message: JSON.parse(message) }, null, 2)}\n`,
  ).toMatchFileSnapshot('__snapshots__/group-failure.events.json');
});

// The examples in the docs are these renderings, exactly: the job failure on every channel.
const doc = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const block = (text: string, lang: string) => `\`\`\`${lang}\n${text}\n\`\`\``;
/** The doc's JSON examples as documents (the formatter lays out short arrays on one line). */
const jsonDocuments = (markdown: string): unknown[] =>
  [...markdown.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1] ?? ''));

function jobFailure() {
  const event = REPRESENTATIVE['job-failure']?.();
  if (!event) throw new Error('no job-failure event');
  return { event, options: { timeZone: 'Europe/Berlin' } };
}

describe('docs/alerts.md', () => {
  it('shows the job failure exactly as the e-mail, SMS and chat channels render it', () => {
    const page = doc('docs/alerts.md');
    const { event, options } = jobFailure();
    const mail = RENDERERS.email(event, options);
    expect(page).toContain(block(`Subject: ${mail.subject}\n\n${mail.message}`, 'text'));
    expect(page).toContain(block(RENDERERS.sms(event, options).message, 'text'));
    expect(jsonDocuments(page)).toContainEqual(JSON.parse(RENDERERS.chat(event, options).message));
  });
});

describe('docs/alerts.md, storms', () => {
  it('shows the storm exactly as the grouped e-mail, SMS and chat render it', () => {
    const page = doc('docs/alerts.md');
    const group = stormFailure();
    const options = { timeZone: 'Europe/Berlin' };
    const mail = GROUP_RENDERERS.email(group, options);
    expect(page).toContain(block(`Subject: ${mail.subject}\n\n${mail.message}`, 'text'));
    expect(page).toContain(block(GROUP_RENDERERS.sms(group, options).message, 'text'));
    expect(jsonDocuments(page)).toContainEqual(JSON.parse(GROUP_RENDERERS.chat(group, options).message));
  });
});

describe('docs/events.md', () => {
  it('shows the job failure exactly as the events channel publishes it, with its attributes', () => {
    const { event, options } = jobFailure();
    const { message, attributes } = RENDERERS.events(event, options);
    const documents = jsonDocuments(doc('docs/events.md'));
    expect(documents).toContainEqual(JSON.parse(message));
    expect(documents).toContainEqual(attributes);
  });
});

describe('README.md', () => {
  it('shows the job failure exactly as the e-mail channel renders it', () => {
    const { event, options } = jobFailure();
    const mail = RENDERERS.email(event, options);
    expect(doc('README.md')).toContain(block(`Subject: ${mail.subject}\n\n${mail.message}`, 'text'));
  });
});
