// The canary guard's self-check: the detector finds the canary password plain and inside any Basic credentials
// made of it, the tree scan names the files holding it, and a watched stream notes what it was written. (That a
// find fails `npm test` was checked by hand, making a test print the canary.)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, expect, it, vi } from 'vitest';
import { DEFAULT_USER } from '../../functions/simulator/index.ts';
import { basicOf, CANARY, CANARY_BASE64, canaryUser, findCanary, scanTree } from '../support/canary.ts';
import { watchWrites } from '../support/canary-guard.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

it('finds the canary in a line of output, describing it without repeating it', () => {
  const found = findCanary(`warn logon failed ${JSON.stringify(canaryUser('TECH\\svc'))}`);
  expect(found).toEqual(['the canary password']);
  expect(found.join()).not.toContain(CANARY);
});

it('finds the Basic credentials of any user with the canary, or a password made from it', () => {
  // One fragment per alignment, each too long to turn up by chance.
  expect(new Set(CANARY_BASE64).size).toBe(3);
  expect(Math.min(...CANARY_BASE64.map((fragment) => fragment.length))).toBeGreaterThanOrEqual(16);
  fc.assert(
    fc.property(fc.string(), fc.constantFrom('', 'x', '-old'), (username, suffix) => {
      expect(findCanary(basicOf({ username, password: `${CANARY}${suffix}` }))).toHaveLength(1);
    }),
  );
});

it('finds nothing in other credentials', () => {
  expect(findCanary(`${DEFAULT_USER.password} ${basicOf(DEFAULT_USER)}`)).toEqual([]);
});

it('names every file holding the canary, in any folder of the tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-scan-'));
  try {
    mkdirSync(join(dir, 'state', 'em'), { recursive: true });
    writeFileSync(join(dir, 'state', 'em', 'secret.json'), JSON.stringify(canaryUser('TECH\\svc')));
    writeFileSync(join(dir, 'state', 'clean.json'), '{}');
    writeFileSync(join(dir, 'proxy.log'), `Authorization: Basic ${basicOf(canaryUser('TECH\\svc-a'))}`);
    expect(scanTree(dir).sort()).toEqual([
      expect.stringMatching(/proxy\.log: the canary in base64 \(offset \d\)$/),
      `${join(dir, 'state', 'em', 'secret.json')}: the canary password`,
    ]);
    expect(scanTree(dir, (path) => path.endsWith('.json'))).toHaveLength(1);
    expect(scanTree(join(dir, 'missing'))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true }); // the guard scans the temp directory: leave no canary there
  }
});

it('notes the canary written to a watched stream, saying where', () => {
  const leaks = join(mkdtempSync(join(tmpdir(), 'canary-leaks-')), 'leaks.txt');
  vi.stubEnv('CANARY_LEAKS', leaks);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  watchWrites(sink, () => 'the sample stream');
  sink.write('nothing to see\n');
  sink.write(Buffer.from(`password=${CANARY}\n`));
  expect(readFileSync(leaks, 'utf8')).toBe('the sample stream: the canary password\n');
});
