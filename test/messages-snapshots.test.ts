// Each channel's rendering of representative events, as files to read: in an inbox, on a phone, in Slack.
import { describe, expect, it } from 'vitest';
import { renderAll } from '../functions/messages/render.ts';
import { REPRESENTATIVE } from './messages-data.ts';

describe.each(Object.entries(REPRESENTATIVE))('%s', (name, make) => {
  const rendered = renderAll(make(), { timeZone: 'Europe/Berlin' });
  it('email', async () => {
    await expect(`Subject: ${rendered.email.subject}\n\n${rendered.email.message}\n`).toMatchFileSnapshot(
      `__snapshots__/messages/${name}.email.txt`,
    );
  });
  it('sms', async () => {
    await expect(`${rendered.sms.message}\n`).toMatchFileSnapshot(`__snapshots__/messages/${name}.sms.txt`);
  });
  it('chat', async () => {
    await expect(`${JSON.stringify(JSON.parse(rendered.chat.message), null, 2)}\n`).toMatchFileSnapshot(
      `__snapshots__/messages/${name}.chat.json`,
    );
  });
  it('events', async () => {
    const { message, attributes } = rendered.events;
    await expect(
      `${JSON.stringify({ attributes, message: JSON.parse(message) }, null, 2)}\n`,
    ).toMatchFileSnapshot(`__snapshots__/messages/${name}.events.json`);
  });
});
