// `replica-alerts silence add|list|remove`: silences kept in the state table (or the local state), read by every
// poll, so that "I know, I'm on it" or a maintenance night needs no redeploy.

import { randomBytes } from 'node:crypto';
import { eventSubject } from '../alerts/emit.ts';
import { isOpen, matches, type Silence } from '../alerts/silence.ts';
import type { SubjectState } from '../alerts/state.ts';
import { DAY, MINUTE } from '../duration.ts';
import { plural } from '../messages/text.ts';
import { DynamoSilenceStore, type SilenceStore } from '../state/silences.ts';
import { minutes, parse, UsageError } from './args.ts';
import type { Io } from './io.ts';
import { openTable, STORE_HELP, STORE_OPTIONS } from './store.ts';

export const SILENCE_HELP = `Usage: replica-alerts silence add (--job GLOB | --server GLOB | --em NAME)... (--for DURATION | --until TIME
                                 | --until-resolved) --reason TEXT [--by NAME] [store]
       replica-alerts silence list [--output text|json] [store]
       replica-alerts silence remove ID [store]

While a silence matches a job, CDP policy or Enterprise Manager, nothing about it is sent on any channel; its
state moves on as usual. When the silence ends (it expires, is removed, or with --until-resolved once nothing it
matches is failing) and the subject is still failing, one message says so, with since when; an alert people
were told of that resolved meanwhile gets its resolved then. Every poll reads the silences: no redeploy.

  --job GLOB             job and policy names or uids (* and ?, case-insensitive)
  --server GLOB          backup server names
  --em NAME              one Enterprise Manager (alone: everything it reports, its own unreachable notice too)
  --for DURATION         from now, for this long (minutes, or 90m, 6h, 2d)
  --until TIME           until this ISO 8601 time with its zone, e.g. 2026-12-08T06:00Z or ...T07:00+01:00
  --until-resolved       until nothing it matches is failing, at most --for/--until (default 7d)
  --reason TEXT          why (shown by silence list and in the message when it ends)
  --by NAME              who (default: $USER)
  --output text|json     silence list's format (default text)
${STORE_HELP}

Exit codes: 0 done; 1 the store failed; 2 bad usage (an unknown id, a time in the past, a zero duration).`;

const OPTIONS = {
  job: { type: 'string' },
  server: { type: 'string' },
  em: { type: 'string' },
  for: { type: 'string' },
  until: { type: 'string' },
  'until-resolved': { type: 'boolean' },
  reason: { type: 'string' },
  by: { type: 'string' },
  output: { type: 'string' },
  ...STORE_OPTIONS,
} as const;

const MAX_REASON = 1000;
/** The longest an until-resolved silence holds without an end given: a forgotten one must not hide alerts forever. */
const UNTIL_RESOLVED_MAX_MS = 7 * DAY;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function silenceCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, 'replica-alerts silence', true);
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    io.out(SILENCE_HELP);
    return action || values.help ? 0 : 2;
  }
  const run = ACTIONS[action];
  if (!run) throw new UsageError(`Unknown action "${action}": use add, list or remove.`);
  const request = run.check(values, rest, io);
  const { client, table, close } = await openTable(values, io);
  try {
    return await run.act(request, new DynamoSilenceStore(client, table), io);
  } finally {
    await close();
  }
}

interface Action<R> {
  /** Checks the arguments before the store is opened. */
  check(values: Values, rest: string[], io: Io): R;
  act(request: R, store: SilenceStore, io: Io): Promise<number>;
}

const add: Action<Silence> = {
  check(values, rest, io) {
    if (rest.length) throw new UsageError(`silence add takes no ${rest[0]}: give options only.`);
    const job = values.job ?? null;
    const server = values.server ?? null;
    const em = values.em ?? null;
    if (job === null && server === null && em === null)
      throw new UsageError('Say what to silence: --job GLOB, --server GLOB and/or --em NAME.');
    for (const [flag, value] of [
      ['job', job],
      ['server', server],
      ['em', em],
    ] as const) {
      if (value !== null && !/\S/.test(value)) throw new UsageError(`--${flag} needs a non-empty value.`);
    }
    const reason = values.reason?.trim();
    if (!reason) throw new UsageError('--reason TEXT is required: say why, for whoever reads silence list.');
    if (reason.length > MAX_REASON)
      throw new UsageError(
        `--reason is ${reason.length} characters; keep it to ${MAX_REASON} (it goes into messages).`,
      );
    const now = io.now().getTime();
    const untilResolved = values['until-resolved'] === true;
    if (values.for !== undefined && values.until !== undefined)
      throw new UsageError('--for and --until exclude each other: give one end.');
    const until = endOf(values, now, untilResolved);
    return {
      id: randomBytes(4).toString('hex'),
      job,
      server,
      em,
      from: new Date(now).toISOString(),
      until: new Date(until).toISOString(),
      untilResolved,
      reason,
      by: values.by ?? io.env.USER ?? io.env.USERNAME ?? null,
    };
  },
  async act(silence, store, io) {
    const known = await subjects(store, io);
    const matched = known?.filter((state) => matches(silence, eventSubject(state)));
    if (matched && !matched.length)
      io.err('warning: it matches no job, policy or EM polled so far; stored anyway (check the spelling).');
    else if (matched && silence.untilResolved && !matched.some(isOpen))
      io.err('warning: nothing it matches is failing now, so it will end at the next poll of each EM.');
    let stored = silence;
    while (!(await store.add(stored))) stored = { ...stored, id: randomBytes(4).toString('hex') };
    const what = matched ? `; matches ${matchedText(matched)}` : '';
    io.out(`Added silence ${stored.id}: ${describe(stored)}${what}.`);
    return 0;
  },
};

function endOf(values: Values, now: number, untilResolved: boolean): number {
  if (values.for !== undefined) {
    const length = minutes('for', values.for);
    if (length === 0) throw new UsageError('--for 0 would end at once: give a duration, e.g. 2h.');
    return now + length * MINUTE;
  }
  if (values.until !== undefined) {
    const text = values.until;
    const until = /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(until))
      throw new UsageError(
        `--until ${text}: not an ISO 8601 time with its zone; use e.g. 2026-12-08T06:00Z or 2026-12-08T07:00+01:00.`,
      );
    if (until <= now)
      throw new UsageError(`--until ${text}: that is in the past (now ${new Date(now).toISOString()}).`);
    return until;
  }
  if (untilResolved) return now + UNTIL_RESOLVED_MAX_MS;
  throw new UsageError('Say until when: --for DURATION, --until TIME or --until-resolved.');
}

const list: Action<{ json: boolean }> = {
  check(values, rest) {
    if (rest.length) throw new UsageError(`silence list takes no ${rest[0]}.`);
    const output = values.output ?? 'text';
    if (output !== 'text' && output !== 'json') throw new UsageError('--output must be text or json.');
    return { json: output === 'json' };
  },
  async act({ json }, store, io) {
    const { silences, skipped } = await store.list();
    const states = await subjects(store, io);
    const now = io.now().toISOString();
    const rows = silences.map((silence) => ({
      ...silence,
      status: silence.until <= now ? 'ended' : silence.from > now ? 'scheduled' : 'active',
      matched: states?.filter((state) => matches(silence, eventSubject(state))).map(subjectName) ?? null,
    }));
    if (skipped.length)
      io.err(`warning: stored items that are not silences were ignored: ${skipped.join(', ')}.`);
    if (json) {
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (!rows.length) io.out('No silences.');
    for (const row of rows) {
      io.out(`${row.id}  ${row.status}  ${describe(row)}`);
      io.out(`    by ${row.by ?? 'unknown'}: ${row.reason}`);
      if (row.matched)
        io.out(`    matches ${row.matched.length ? row.matched.join(', ') : 'nothing polled so far'}`);
    }
    return 0;
  },
};

const remove: Action<string> = {
  check(_values, rest) {
    const [id, ...more] = rest;
    if (!id || more.length) throw new UsageError('silence remove takes one ID (silence list shows them).');
    return id;
  },
  async act(id, store, io) {
    if (!(await store.remove(id)))
      throw new UsageError(`There is no silence ${id}; silence list shows the stored ones.`);
    io.out(`Removed silence ${id}; what it held and is still failing is sent at the next poll.`);
    return 0;
  },
};

/** The subjects polled so far, or null for an operator allowed the silences alone (docs/deploy.md). */
async function subjects(store: SilenceStore, io: Io): Promise<SubjectState[] | null> {
  try {
    return await store.subjects();
  } catch (error) {
    if ((error as Error).name !== 'AccessDeniedException') throw error;
    io.err(
      'warning: not allowed to read the jobs polled so far (dynamodb:Scan), so what it matches is not shown.',
    );
    return null;
  }
}

const ACTIONS: Record<string, Action<unknown>> = { add, list, remove } as Record<string, Action<unknown>>;

function describe(silence: Silence): string {
  const what = [
    silence.job !== null ? `job ${silence.job}` : null,
    silence.server !== null ? `server ${silence.server}` : null,
    silence.em !== null ? `EM ${silence.em}` : null,
  ].filter(Boolean);
  const end = silence.untilResolved
    ? `until resolved, at most until ${silence.until}`
    : `until ${silence.until}`;
  return `${what.join(', ')}, from ${silence.from} ${end}`;
}

const subjectName = (state: SubjectState) =>
  state.kind === 'enterprise-manager' ? `EM ${state.name}` : `${state.name} (${state.em})`;

function matchedText(matched: SubjectState[]): string {
  if (!matched.length) return 'nothing polled so far';
  const names = matched.slice(0, 5).map(subjectName).join(', ');
  return `${plural(matched.length, 'subject')}: ${names}${matched.length > 5 ? ', ...' : ''}`;
}
