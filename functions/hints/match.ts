// Which hints apply to a text (a VM's Reason, a session's FailureMessage) and to an event: local entries from the
// settings first, in their order, then the built-in catalogue, the more specific entry before the one it names.

import type { AlertEvent } from '../alerts/event.ts';
import { CATALOGUE, type HintEntry } from './catalogue.ts';
import { type CompiledPattern, compile, matches, normalize } from './pattern.ts';

/** A local entry, as the `hints` setting gives it (alerts/settings.ts checks the pattern). */
export interface LocalHint {
  id: string;
  pattern: string;
  cause: string;
  steps: string[];
  url: string;
}

/** A hint as shown: the events channel's `hints` items, and the page's title for the people channels. */
export interface Hint {
  id: string;
  cause: string;
  steps: string[];
  url: string;
  title?: string;
}

const BUILT_IN: readonly { rule: CompiledPattern; entry: HintEntry }[] = CATALOGUE.map((entry) => ({
  rule: compile(entry.match),
  entry,
}));

const compiledLocal = new WeakMap<LocalHint, CompiledPattern>();
const localRule = (local: LocalHint): CompiledPattern => {
  let rule = compiledLocal.get(local);
  if (!rule) {
    rule = compile(local.pattern);
    compiledLocal.set(local, rule);
  }
  return rule;
};

const hintOf = (entry: HintEntry): Hint => ({
  id: entry.id,
  cause: entry.cause,
  steps: [...entry.steps],
  url: entry.source.url,
  title: entry.source.title,
});

/** The built-in entries matching `text`, most specific first (an entry before those it is moreSpecificThan). */
export function matchEntries(text: string): HintEntry[] {
  return entriesOf(normalize(text));
}

function entriesOf(normalized: string): HintEntry[] {
  const found = BUILT_IN.filter(({ rule }) => matches(rule, normalized)).map(({ entry }) => entry);
  const ids = new Set(found.map((e) => e.id));
  const outranks = (e: HintEntry) => (e.moreSpecificThan ?? []).filter((id) => ids.has(id)).length;
  return found
    .map((entry, i) => ({ entry, i, rank: outranks(entry) }))
    .sort((a, b) => b.rank - a.rank || a.i - b.i)
    .map(({ entry }) => entry);
}

/** The hints for one text: matching local entries first, then the built-in ones. */
export function matchHints(text: string, local: readonly LocalHint[] = []): Hint[] {
  const normalized = normalize(text);
  const mine = local
    .filter((entry) => matches(localRule(entry), normalized))
    .map(({ id, cause, steps, url }) => ({ id, cause, steps: [...steps], url }));
  return [...mine, ...entriesOf(normalized).map(hintOf)];
}

/** A hint and what it was found for: VM names, and `session` for the session's failure message. */
export interface FoundHint {
  hint: Hint;
  for: string[];
}

export interface EventHints {
  /** Each hint once, in the order first found (per VM, most specific first). */
  found: FoundHint[];
  /** VMs with no reason or no matching hint: the generic next steps are for them. */
  unmatched: string[];
}

/** The session's failure message, when it is what a hint was found for. */
export const SESSION = 'the session';

/** Hints for a failure or reminder (not one that stopped running): per VM reason and the session's message. */
export function eventHints(event: AlertEvent, local: readonly LocalHint[] = []): EventHints {
  const empty = { found: [], unmatched: [] };
  if ((event.event !== 'failure' && event.event !== 'reminder') || event.quietSince) return empty;
  const byId = new Map<string, FoundHint>();
  const unmatched: string[] = [];
  const add = (name: string, text: string | null | undefined) => {
    const hints = text ? matchHints(text, local) : [];
    if (!hints.length) return false;
    for (const hint of hints) {
      const seen = byId.get(hint.id);
      if (seen) {
        if (!seen.for.includes(name)) seen.for.push(name);
      } else byId.set(hint.id, { hint, for: [name] });
    }
    return true;
  };
  add(SESSION, event.session?.failureMessage);
  for (const vm of event.vms ?? []) if (!add(vm.name, vm.reason)) unmatched.push(vm.name);
  return { found: [...byId.values()], unmatched };
}
