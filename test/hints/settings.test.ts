// The `hints` setting: local entries checked with their path, and shown ahead of the built-in ones on each channel.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from '../../functions/alerts/settings.ts';
import { RENDERERS } from '../../functions/messages/render.ts';
import { jobFailure } from '../support/messages-data.ts';

const LOCAL = {
  id: 'our-ds-replica-02',
  pattern: 'ds-replica-02.*running out of free space',
  cause: 'ds-replica-02 is being replaced.',
  steps: ['Move the replicas to ds-replica-03 (runbook DR-7).'],
  url: 'https://wiki.example.com/dr-7',
};

describe('the hints setting', () => {
  it('defaults to no local entries and accepts a valid one', () => {
    expect(DEFAULT_SETTINGS.hints).toEqual([]);
    expect(validateSettings({ hints: [LOCAL] })).toMatchObject({ ok: true, settings: { hints: [LOCAL] } });
  });

  it.each([
    [{ ...LOCAL, pattern: 'timeout\\s+900' }, 'hints[0].pattern: "\\" is regex syntax'],
    [{ ...LOCAL, pattern: '(a+)+$' }, 'hints[0].pattern: "(" is regex syntax'],
    [{ ...LOCAL, pattern: 'vss|' }, 'hints[0].pattern: each phrase'],
    [{ ...LOCAL, steps: [] }, 'hints[0].steps: give one to three steps.'],
    [{ ...LOCAL, steps: ['a', 'b', 'c', 'd'] }, 'hints[0].steps: give one to three steps.'],
    [{ ...LOCAL, url: 'wiki/dr-7' }, 'hints[0].url: '],
    [{ ...LOCAL, id: 'vss-freeze-timeout' }, 'hints[0].id: "vss-freeze-timeout" is already a hint id'],
    [{ id: LOCAL.id, pattern: LOCAL.pattern }, 'hints[0].cause: '],
    [{ ...LOCAL, extra: 1 }, 'hints[0].extra: unknown setting'],
  ])('refuses %j with its path', (hint, problem) => {
    const checked = validateSettings({ hints: [hint] });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.join('\n')).toContain(problem);
  });

  it('is shown ahead of the built-in hints, and instead of the generic steps for the VM it matches', () => {
    const event = jobFailure();
    const options = { timeZone: 'UTC', hints: [LOCAL] };
    const mail = RENDERERS.email(event, options).message;
    expect(mail).toContain(`  sql-vm-03: ${LOCAL.cause} [${LOCAL.id}]`);
    expect(mail).toContain(`    See ${LOCAL.url}`);
    expect(mail).toContain('  The other VMs (sql-vm-01):');
    const chat = JSON.parse(RENDERERS.chat(event, options).message);
    expect(chat.content.nextSteps.slice(0, 3)).toEqual([
      `sql-vm-03: ${LOCAL.cause}`,
      LOCAL.steps[0],
      `See ${LOCAL.url}`,
    ]);
    const json = JSON.parse(RENDERERS.events(event, options).message);
    expect(json.hints).toEqual([{ id: LOCAL.id, cause: LOCAL.cause, steps: LOCAL.steps, url: LOCAL.url }]);
    expect(RENDERERS.sms(event, options)).toEqual(RENDERERS.sms(event, { timeZone: 'UTC' }));
    // Without a match, nothing changes.
    expect(JSON.parse(RENDERERS.events(event, { timeZone: 'UTC' }).message)).not.toHaveProperty('hints');
  });
});
