// Each channel's rendering of representative events, as files to read: in an inbox, on a phone, in Slack.
import { describe, expect, it } from 'vitest';
import { RENDERERS } from '../functions/messages/render.ts';
import { REPRESENTATIVE } from './messages-data.ts';

describe.each(Object.entries(REPRESENTATIVE))('%s', (name, make) => {
  const event = make();
  const options = { timeZone: 'Europe/Berlin' };
  it('email', async () => {
    const { subject, message } = RENDERERS.email(event, options);
    await expect(`Subject: ${subject}\n\n${message}\n`).toMatchFileSnapshot(
      `__snapshots__/messages/${name}.email.txt`,
    );
  });
  it('sms', async () => {
    const { message } = RENDERERS.sms(event, options);
    await expect(`${message}\n`).toMatchFileSnapshot(`__snapshots__/messages/${name}.sms.txt`);
  });
  it('chat', async () => {
    const { message } = RENDERERS.chat(event, options);
    await expect(`${JSON.stringify(JSON.parse(message), null, 2)}\n`).toMatchFileSnapshot(
      `__snapshots__/messages/${name}.chat.json`,
    );
  });
  it('events', async () => {
    const { message, attributes } = RENDERERS.events(event, options);
    await expect(
      `${JSON.stringify({ attributes, message: JSON.parse(message) }, null, 2)}\n`,
    ).toMatchFileSnapshot(`__snapshots__/messages/${name}.events.json`);
  });
});
