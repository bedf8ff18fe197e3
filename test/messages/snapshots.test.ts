// Each channel's rendering of representative events, as files to read: in an inbox, on a phone, in Slack.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RENDERERS } from '../../functions/messages/render.ts';
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

describe('docs/alerts.md', () => {
  const readme = readFileSync(new URL('../../docs/alerts.md', import.meta.url), 'utf8');
  const event = REPRESENTATIVE['job-failure']?.();
  const options = { timeZone: 'Europe/Berlin' };

  it('shows the job failure exactly as each channel renders it', () => {
    if (!event) throw new Error('no job-failure event');
    const mail = RENDERERS.email(event, options);
    const block = (text: string, lang: string) => `\`\`\`${lang}\n${text}\n\`\`\``;
    expect(readme).toContain(block(`Subject: ${mail.subject}\n\n${mail.message}`, 'text'));
    expect(readme).toContain(block(RENDERERS.sms(event, options).message, 'text'));
    // The JSON examples as documents (the formatter lays out short arrays on one line).
    const documents = [...readme.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1] ?? ''));
    expect(documents).toContainEqual(JSON.parse(RENDERERS.chat(event, options).message));
    expect(documents).toContainEqual(JSON.parse(RENDERERS.events(event, options).message));
  });
});
