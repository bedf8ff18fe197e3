// `replica-alerts hints "<reason>"`: the hints an alert would show for a Reason or FailureMessage, from the built-in
// catalogue and the local entries of a settings file, so an admin can try a message from their own console.

import { matchHints } from '../hints/match.ts';
import { parse, SETTINGS_OPTIONS, settingsFrom, UsageError } from './args.ts';
import type { Io } from './io.ts';

export const HINTS_HELP = `Usage: replica-alerts hints "<reason text>" [--settings FILE] [--output text|json]

Prints the hints an alert shows for a VM's Reason or a session's FailureMessage as Veeam wrote it: the local
entries of the settings file's "hints" first, then the built-in catalogue (most specific first). Matching is
case-insensitive and reads any run of white space as one space. With no hint, the alert shows its generic steps.

  --settings FILE        the alerting settings (its "hints": local entries, checked as poll checks them)
  --output text|json     text (default), or the events channel's "hints" items as JSON

Exit codes: 0 at least one hint; 1 no hint matches; 2 bad usage or invalid settings.`;

const OPTIONS = {
  settings: SETTINGS_OPTIONS.settings,
  output: { type: 'string' },
} as const;

export async function hintsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, 'replica-alerts hints', true);
  if (values.help) {
    io.out(HINTS_HELP);
    return 0;
  }
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError('--output must be text or json.');
  if (positionals.length !== 1 || !/\S/.test(positionals[0] ?? ''))
    throw new UsageError('Give one reason text, in quotes: replica-alerts hints "<reason text>".');
  const settings = settingsFrom({ settings: values.settings });
  const hints = matchHints(positionals[0] ?? '', settings.hints);
  if (output === 'json') {
    io.out(
      JSON.stringify(
        hints.map(({ id, cause, steps, url }) => ({ id, cause, steps, url })),
        null,
        2,
      ),
    );
    return hints.length ? 0 : 1;
  }
  if (!hints.length) {
    io.out('No hint matches this text: the alert shows the generic next steps.');
    return 1;
  }
  const lines: string[] = [];
  for (const hint of hints) {
    if (lines.length) lines.push('');
    lines.push(`${hint.id}${hint.title ? '' : ' (local)'}: ${hint.cause}`);
    for (const step of hint.steps) lines.push(`  - ${step}`);
    lines.push(`  See ${hint.title ? `"${hint.title}": ` : ''}${hint.url}`);
  }
  io.out(lines.join('\n'));
  return 0;
}
