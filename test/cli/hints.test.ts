// `replica-alerts hints "<reason>"`: what an alert would show for a Veeam reason text, built-in and local entries.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

function settingsFile(settings: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ra-hints-')), 'settings.json');
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

const LOCAL = {
  id: 'our-exchange',
  pattern: 'microsoft exchange writer',
  cause: 'The Exchange DAG node is busy with its nightly maintenance.',
  steps: ['Move the replica job after 02:00.'],
  url: 'https://wiki.example.com/exchange',
};

describe('replica-alerts hints', () => {
  it("prints the built-in hint for Veeam's wording, with its source", async () => {
    const { code, out } = await runCli(['hints', 'Error: VSSControl: Failed to freeze guest, wait timeout']);
    expect(code).toBe(0);
    expect(out).toContain('vss-freeze-timeout: ');
    expect(out).toContain('  - Check the vCenter load');
    expect(out).toContain('See "VSS Freeze Wait Timeout": https://www.veeam.com/kb1377?ad=in-text-link');
  });

  it('prints local entries first, then the built-in ones, most specific first', async () => {
    const reason =
      'Cannot create  shadow copy of the volumes containing writer’s data. A VSS critical writer has failed. Writer name: [Microsoft Exchange Writer].';
    const { code, out } = await runCli(['hints', reason, '--settings', settingsFile({ hints: [LOCAL] })]);
    expect(code).toBe(0);
    const order = [
      'our-exchange (local)',
      'vss-critical-writer-failed:',
      'vss-cannot-create-shadow-copy:',
    ].map((id) => out.indexOf(id));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out).toContain('  See https://wiki.example.com/exchange');
  });

  it('says so, exit 1, when no hint matches', async () => {
    const { code, out } = await runCli(['hints', 'Error: something nobody has seen']);
    expect(code).toBe(1);
    expect(out).toBe('No hint matches this text: the alert shows the generic next steps.');
  });

  it('prints the events channel items with --output json', async () => {
    const { code, out } = await runCli(['hints', 'Not enough licenses.', '--output', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({ id: 'license-exceeded', url: 'http://www.veeam.com/KB1470' }),
    ]);
  });

  it('refuses a local entry with an unsafe pattern or missing fields, naming its path', async () => {
    const file = settingsFile({ hints: [{ ...LOCAL, pattern: '(a+)+$' }, { id: 'half' }] });
    const { code, err } = await runCli(['hints', 'anything', '--settings', file]);
    expect(code).toBe(2);
    expect(err).toContain('hints[0].pattern: "(" is regex syntax');
    expect(err).toContain('hints[1].cause: ');
    expect(err).toContain('hints[1].steps: ');
  });

  it('needs one reason text', async () => {
    expect((await runCli(['hints'])).code).toBe(2);
    expect((await runCli(['hints', 'a', 'b'])).err).toContain('Give one reason text');
    expect((await runCli(['hints', 'x', '--output', 'xml'])).code).toBe(2);
  });

  it('is listed in the help', async () => {
    expect((await runCli(['--help'])).out).toMatch(/^ {2}hints {3}/m);
    const help = await runCli(['hints', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: replica-alerts hints');
  });
});
