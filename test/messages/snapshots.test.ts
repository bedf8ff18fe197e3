// Each channel's rendering of representative events, as files to read: in an inbox, on a phone, in Slack.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIGEST_RENDERERS, GROUP_RENDERERS, RENDERERS } from '../../functions/messages/render.ts';
import { CHANNELS, type Channel, type PeopleChannel, type Rendered } from '../../functions/messages/types.ts';
import { morningDigest, REPRESENTATIVE_DIGESTS } from '../support/digest-data.ts';
import { REPRESENTATIVE_GROUPS, stormFailure } from '../support/group-data.ts';
import { REPRESENTATIVE } from '../support/messages-data.ts';

const options = { timeZone: 'Europe/Berlin' };

/** Each channel's file: its extension, and what it holds of a rendering. */
const FILES: Record<Channel, { ext: string; text: (r: Rendered) => string }> = {
  email: { ext: 'email.txt', text: ({ subject, message }) => `Subject: ${subject}\n\n${message}\n` },
  sms: { ext: 'sms.txt', text: ({ message }) => `${message}\n` },
  chat: { ext: 'chat.json', text: ({ message }) => `${JSON.stringify(JSON.parse(message), null, 2)}\n` },
  events: {
    ext: 'events.json',
    text: ({ message, attributes }) =>
      `${JSON.stringify({ attributes, message: JSON.parse(message) }, null, 2)}\n`,
  },
};

/** One test per channel: its rendering matches `__snapshots__/<name>.<ext>`. */
function matchFiles<C extends Channel>(
  name: string,
  channels: readonly C[],
  render: (channel: C) => Rendered,
): void {
  for (const channel of channels) {
    it(channel, async () => {
      const { ext, text } = FILES[channel];
      await expect(text(render(channel))).toMatchFileSnapshot(`__snapshots__/${name}.${ext}`);
    });
  }
}

describe.each(Object.entries(REPRESENTATIVE))('%s', (name, make) => {
  const event = make();
  matchFiles(name, CHANNELS, (channel) => RENDERERS[channel](event, options));
});

// A storm's grouped messages on the people channels, and one of its events as the events channel sends it.
describe.each(Object.entries(REPRESENTATIVE_GROUPS))('%s', (name, make) => {
  const group = make();
  matchFiles(name, ['email', 'sms', 'chat'], (channel) => GROUP_RENDERERS[channel](group, options));
});

it('group-failure: each event on the events channel names its group', async () => {
  const group = stormFailure();
  const [event] = group.events;
  if (!event) throw new Error('an empty group');
  const rendered = RENDERERS.events(event, { ...options, group: group.id });
  await expect(FILES.events.text(rendered)).toMatchFileSnapshot('__snapshots__/group-failure.events.json');
});

// The morning digest of an estate on every channel, the events channel with its attributes.
describe.each(Object.entries(REPRESENTATIVE_DIGESTS))('%s', (name, make) => {
  const digest = make();
  matchFiles(name, CHANNELS, (channel) => DIGEST_RENDERERS[channel](digest, options));
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
  return event;
}

/** The page shows the e-mail (subject and body), the SMS and the chat message exactly as rendered. */
function expectShown(page: string, render: (channel: PeopleChannel) => Rendered): void {
  const mail = render('email');
  expect(page).toContain(block(`Subject: ${mail.subject}\n\n${mail.message}`, 'text'));
  expect(page).toContain(block(render('sms').message, 'text'));
  expect(jsonDocuments(page)).toContainEqual(JSON.parse(render('chat').message));
}

describe('docs/alerts.md', () => {
  it('shows the job failure exactly as the e-mail, SMS and chat channels render it', () => {
    const event = jobFailure();
    expectShown(doc('docs/alerts.md'), (channel) => RENDERERS[channel](event, options));
  });

  it('shows the storm exactly as the grouped e-mail, SMS and chat render it', () => {
    const group = stormFailure();
    expectShown(doc('docs/alerts.md'), (channel) => GROUP_RENDERERS[channel](group, options));
  });

  it('shows the morning digest exactly as the e-mail, SMS and chat render it', () => {
    const digest = morningDigest();
    expectShown(doc('docs/alerts.md'), (channel) => DIGEST_RENDERERS[channel](digest, options));
  });
});

describe('docs/events.md', () => {
  it.each([
    ['the job failure', () => RENDERERS.events(jobFailure(), options)],
    ['the morning digest', () => DIGEST_RENDERERS.events(morningDigest(), options)],
  ])('shows %s exactly as the events channel publishes it, with its attributes', (_, render) => {
    const { message, attributes } = render();
    const documents = jsonDocuments(doc('docs/events.md'));
    expect(documents).toContainEqual(JSON.parse(message));
    expect(documents).toContainEqual(attributes);
  });
});

describe('README.md', () => {
  it('shows the job failure exactly as the e-mail channel renders it', () => {
    const event = jobFailure();
    const mail = RENDERERS.email(event, options);
    expect(doc('README.md')).toContain(block(`Subject: ${mail.subject}\n\n${mail.message}`, 'text'));
  });
});
