// Every relative link in the project's Markdown resolves: the file or folder it names exists, and its `#anchor`
// matches a heading of the target as GitHub slugs it. External links are not fetched (CI has no network).
// Library: remark-validate-links, driven by unified-engine so that headings in other files are checked too (its
// API alone checks only the linking file's own): remark's maintained offline checker, with GitHub's own slugger.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { remark } from 'remark';
import remarkValidateLinks from 'remark-validate-links';
import { engine } from 'unified-engine';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Not ours to fix: the published EM samples' notes are kept as they came. */
const SKIPPED = ['node_modules/', 'test/fixtures/'];

/** The Markdown files of the work tree, tracked or new (git's ignore rules apply). */
function markdownFiles(root: string): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.md'],
    { cwd: root, encoding: 'utf8' },
  );
  return listed
    .split('\0')
    .filter((path) => path !== '' && !SKIPPED.some((prefix) => path.startsWith(prefix)))
    .filter((path) => existsSync(join(root, path)))
    .sort();
}

/** Every broken link in `files` (relative to `root`), as `file:line: what is wrong`. */
function brokenLinks(root: string, files: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    engine(
      {
        processor: remark(),
        cwd: root,
        files,
        extensions: ['md'],
        // As a preset, so the engine hands the plugin its file set (the other files' headings). No repository:
        // full URLs are never resolved or fetched, only relative links are checked.
        plugins: [{ plugins: [[remarkValidateLinks, { repository: false, root }]] }],
        out: false,
        // The engine's own report would go to stderr; the test reports instead.
        streamError: new PassThrough(),
      },
      (error, _code, context) => {
        if (error) return reject(error);
        const problems = (context?.files ?? []).flatMap((file) =>
          file.messages.map((message) => `${file.path}:${message.line ?? '?'}: ${message.reason}`),
        );
        resolve(problems.sort());
      },
    );
  });
}

describe('Markdown links', () => {
  it('covers the README, the docs and the notes beside the tests', () => {
    expect(markdownFiles(ROOT)).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/alerts.md',
        'docs/events.md',
        'docs/state.md',
        'test/faults/README.md',
      ]),
    );
  });

  it('every relative link and #anchor resolves', async () => {
    expect(await brokenLinks(ROOT, markdownFiles(ROOT))).toEqual([]);
  });

  it('would report a missing file, folder, heading or heading in another file, with file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replica-alerts-links-'));
    try {
      mkdirSync(join(dir, 'docs'));
      writeFileSync(join(dir, 'docs', 'other.md'), '# The order of a poll’s writes\n\n## Café & Co. `x`\n');
      writeFileSync(
        join(dir, 'README.md'),
        [
          '# Links',
          '',
          '[fine](docs/other.md#the-order-of-a-polls-writes) [fine](docs/other.md#café--co-x) [fine](docs/)',
          '[fine](#links) [external](https://example.com/nowhere.md#nothing)',
          '[missing](docs/nothere.md) [folder](nothere/)',
          '[heading](#nothere) [elsewhere](docs/other.md#nothere)',
          '',
          '| a table | [in a cell](docs/other.md#nor-here) |',
          '| ------- | ----------------------------------- |',
          '',
          '```md',
          '[in code](not-a-link.md)',
          '```',
          '',
        ].join('\n'),
      );
      const problems = await brokenLinks(dir, ['README.md', 'docs/other.md']);
      expect(problems).toHaveLength(5);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^README\.md:5: .*`docs\/nothere\.md`/),
          expect.stringMatching(/^README\.md:5: .*`nothere`/),
          expect.stringMatching(/^README\.md:6: .*`#nothere`/),
          expect.stringMatching(/^README\.md:6: .*`#nothere` in `docs\/other\.md`/),
          expect.stringMatching(/^README\.md:8: .*`#nor-here` in `docs\/other\.md`/),
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
