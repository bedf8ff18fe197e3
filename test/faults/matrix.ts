// The fault matrix: for each fault, every step of every poll of the scripted day it can hit (from the fault-free
// day's record), one trial each. A trial replays the day with that one fault, lets the remaining polls run
// healthy, and compares what SNS accepted with the fault-free day by (event id, channel).
// FAULTS_FULL=1 tries every step; otherwise one step per label (each store operation, channel, kind of EM
// request) per fault, so that every kind of step is hit; FAULTS_ONLY=name,... runs only those faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../functions/duration.ts';
import { type LocalDynamo, startDynalite } from '../../functions/state/local.ts';
import { findCanary } from '../support/canary.ts';
import { FAULTS, type FaultKind, stepsOf } from './catalogue.ts';
import { SCHEDULED, scriptedDay } from './day.ts';
import type { Delivery, Ledger } from './probes.ts';
import { type PollRecord, World } from './support.ts';

export interface Trial {
  fault: FaultKind;
  /** Index of the faulty poll in the day. */
  poll: number;
  /** 1-based step of the fault's kind within that poll. */
  step: number;
  /** What the step is: the store operation, the channel, the kind of EM request... (see `stepsOf`). */
  label: string;
}

/** Every (poll, step) the fault can hit in a day whose polls took these steps (settling polls excepted). */
export function allTrials(fault: FaultKind, day: readonly PollRecord[]): Trial[] {
  return day
    .slice(0, SCHEDULED)
    .flatMap((record, poll) =>
      stepsOf(fault.on, record, poll).map((label, i) => ({ fault, poll, step: i + 1, label })),
    );
}

/**
 * One trial per label, in the order labels first occur: the first step with that label after the first poll
 * (which starts from empty state, unlike every later one), or in the first poll when no other has it.
 */
export function perLabel(trials: readonly Trial[]): Trial[] {
  const chosen = new Map<string, Trial>();
  for (const trial of trials) {
    const held = chosen.get(trial.label);
    if (!held || (held.poll === 0 && trial.poll > 0)) chosen.set(trial.label, trial);
  }
  return [...chosen.values()];
}

export const FULL = process.env.FAULTS_FULL === '1';
/** FAULTS_ONLY=a,b: only these faults (by name), to reproduce one. */
const ONLY = process.env.FAULTS_ONLY?.split(',');

export interface Verdict {
  /** (id, channel) pairs the fault-free day delivered and this one never did. */
  lost: string[];
  /** Publishes of a pair the state had already marked delivered: real duplicates. */
  duplicated: string[];
  /** Each repeat published while its pair was still unmarked (SNS accepted, mark not written): same id. */
  repeats: string[];
  /** Pairs the fault-free day never delivered. */
  extra: string[];
  /**
   * Lost pairs replaced by an extra one: an event under another id (another trigger) that is the same in all
   * else (kind, severity, the alert's severity, subject, channel). Each extra pair replaces one lost pair at most.
   */
  replaced: string[];
  /** Extra pairs that replaced none: events the faulty day added. */
  added: string[];
}

const pair = (d: Pick<Delivery, 'id' | 'channel'>) => `${d.id}/${d.channel}`;
const pairs = (ledger: Ledger) => new Set(ledger.deliveries.map(pair));

/** A pair as what it says, whatever triggered it: what a replacement must match. */
function meaning(ledger: Ledger, p: string): string {
  const [id = '', channel = ''] = p.split('/');
  const event = ledger.events.get(id);
  if (!event) return p;
  const { kind, uid } = event.subject;
  return [event.event, event.severity, event.alertSeverity, kind, uid, channel].join('/');
}

export function compare(expected: Ledger, actual: Ledger): Verdict {
  const want = pairs(expected);
  const got = pairs(actual);
  const seen = new Set<string>();
  const repeats: string[] = [];
  for (const d of actual.deliveries) {
    const key = pair(d);
    if (seen.has(key) && !d.afterMark) repeats.push(key);
    seen.add(key);
  }
  const lost = [...want].filter((p) => !got.has(p));
  const extra = [...got].filter((p) => !want.has(p));
  const spare = extra.map((p) => ({ p, meaning: meaning(actual, p) }));
  const replaced = lost.filter((p) => {
    const at = spare.findIndex((s) => s.meaning === meaning(expected, p));
    if (at >= 0) spare.splice(at, 1);
    return at >= 0;
  });
  return {
    lost,
    duplicated: actual.deliveries.filter((d) => d.afterMark).map(pair),
    repeats,
    extra,
    replaced,
    added: spare.map((s) => s.p),
  };
}

/** The kind of event (failure, stale...) an added pair carries. */
const kindOf = (ledger: Ledger, p: string) => ledger.events.get(p.split('/')[0] ?? '')?.event;
/** A pair (or an id) as a failure message names it: `id/channel (stale of Archive Replica)`. */
function described(ledger: Ledger, p: string): string {
  const event = ledger.events.get(p.split('/')[0] ?? '');
  return `${p} (${event ? `${event.event} of ${event.subject.name}` : 'unknown event'})`;
}

/**
 * What in a verdict the fault does not excuse, as one line per problem (none: the trial passed). Lost: unless
 * replaced, for a fault that may decide otherwise. Repeats: only at a step where the fault may stop the poll
 * between SNS accepting and the mark, and at most one per pair. Added events: only of the kinds and number the
 * fault explains.
 */
export function problems(fault: FaultKind, label: string, verdict: Verdict, actual: Ledger): string[] {
  const out: string[] = [];
  const otherwise = fault.decidesOtherwise;
  const lost = otherwise ? verdict.lost.filter((p) => !verdict.replaced.includes(p)) : verdict.lost;
  if (lost.length) out.push(`lost ${lost.join(' ')}`);
  if (verdict.duplicated.length) out.push(`duplicated ${verdict.duplicated.join(' ')}`);
  if (verdict.repeats.length && !fault.mayRepeat?.(label))
    out.push(`repeated ${verdict.repeats.join(' ')} (this fault at a ${label} step may not repeat)`);
  const twice = verdict.repeats.filter((p, i) => verdict.repeats.indexOf(p) !== i);
  if (twice.length) out.push(`repeated more than once ${[...new Set(twice)].join(' ')}`);
  const added = otherwise ? verdict.added : verdict.extra;
  const unexplained = added.filter((p) => {
    const kind = kindOf(actual, p);
    return !kind || !otherwise?.events.includes(kind);
  });
  if (unexplained.length) out.push(`added ${unexplained.map((p) => described(actual, p)).join(' ')}`);
  const addedEvents = [...new Set(added.map((p) => p.split('/')[0] ?? ''))];
  if (otherwise && addedEvents.length > otherwise.atMost) {
    const shown = addedEvents.map((id) => described(actual, id)).join(' ');
    out.push(`added ${addedEvents.length} events, more than the ${otherwise.atMost} explained: ${shown}`);
  }
  return out;
}

export interface Row {
  fault: FaultKind;
  tried: number;
  of: number;
  lost: number;
  duplicated: number;
  repeats: number;
  /** Events added by a fault that may decide otherwise (pairs that replaced no lost one). */
  added: number;
  replaced: number;
  /** Trials whose last poll was not quiet (an ok poll that left nothing pending). */
  unsettled: number;
  ms: number;
}

export const emptyRow = (fault: FaultKind, tried: number, of = tried): Row => ({
  ...{ fault, tried, of, lost: 0, duplicated: 0, repeats: 0, added: 0, replaced: 0, unsettled: 0, ms: 0 },
});

/**
 * Adds one trial's world, compared with the fault-free day, to its fault's row; returns what the fault does not
 * excuse (see `problems`), and whether the last poll was not quiet (an ok poll that left nothing pending).
 */
/** Adds one trial to `row`: its world's deliveries against the fault-free ones; the problems found, if any. */
export function tally(row: Row, trial: { label: string; expected: Ledger; world: World }): string[] {
  const { fault } = row;
  const { label, expected, world } = trial;
  const verdict = compare(expected, world.ledger);
  const last = world.polls.at(-1);
  const settled = last?.outcome === 'ok' && !last.publishes.length && last.pending === 0;
  row.lost += verdict.lost.length - (fault.decidesOtherwise ? verdict.replaced.length : 0);
  row.duplicated += verdict.duplicated.length;
  row.repeats += verdict.repeats.length;
  row.added += verdict.added.length;
  row.replaced += verdict.replaced.length;
  if (!settled) row.unsettled++;
  return [...problems(fault, label, verdict, world.ledger), ...(settled ? [] : ['not settled'])];
}

/** The fault-free day on the DynamoDB at `endpoint`, played to its end: what every trial is compared with. */
export async function faultFreeDay(endpoint: string): Promise<World> {
  const day = await World.start(endpoint, scriptedDay());
  await day.play();
  await day.close();
  return day;
}

/** The README table. */
export function table(rows: readonly Row[]): string {
  const lines = [
    '| fault | steps tried | lost | duplicated | same-id repeats (crash window) | decided otherwise |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.fault.title} | ${r.tried}${r.tried < r.of ? ` of ${r.of}` : ''} | ${r.lost} | ${r.duplicated} | ` +
        `${r.repeats} | ${r.fault.decidesOtherwise ? `${r.replaced} replaced, ${r.added} added` : '–'} |`,
    ),
  ];
  return lines.join('\n');
}

/**
 * The matrix for some faults, as one vitest suite: a test per fault running its trials, and the table printed
 * at the end. Each test file takes a share of the faults so that vitest runs them in parallel.
 */
export function matrixSuite(names: readonly string[]): void {
  const faults = names
    .map((name) => {
      const fault = FAULTS.find((f) => f.name === name);
      if (!fault) throw new Error(`No fault ${name}`);
      return fault;
    })
    .filter((f) => !ONLY || ONLY.includes(f.name));
  const rows: Row[] = [];
  let dynamo: LocalDynamo;
  let baseline: World;

  beforeAll(async () => {
    dynamo = await startDynalite();
    baseline = await faultFreeDay(dynamo.endpoint);
  }, 60_000);
  afterAll(async () => {
    await dynamo?.close();
    if (rows.length) console.log(`\n${table(rows)}\n`);
  });

  if (!faults.length) {
    // FAULTS_ONLY chose faults of other files: this file checks only that every name it gave exists.
    it('FAULTS_ONLY names known faults', () => {
      expect(ONLY?.filter((name) => !FAULTS.some((f) => f.name === name))).toEqual([]);
    });
  }
  describe.each(faults.map((f) => [f.name, f] as const))('%s', (_name, fault) => {
    it(
      'loses nothing and duplicates nothing beyond the crash window',
      async () => {
        const every = allTrials(fault, baseline.polls);
        const chosen = FULL ? every : perLabel(every);
        expect(chosen.length).toBeGreaterThan(0);
        const started = performance.now();
        const row = emptyRow(fault, chosen.length, every.length);
        const failures: string[] = [];
        const leaks: string[] = []; // this fault's own, so that one leak fails only its test
        for (const trial of chosen) {
          const world = await World.start(dynamo.endpoint, scriptedDay());
          try {
            await world.play((i) => (i === trial.poll ? () => fault.arm(world, trial.step) : undefined));
          } finally {
            await world.close();
          }
          const found = tally(row, { label: trial.label, expected: baseline.ledger, world });
          if (found.length) {
            failures.push(
              `poll ${trial.poll} step ${trial.step} (${trial.label}): ${found.join('; ')}; polls ` +
                world.polls.map((p) => p.outcome).join(',') +
                `; errors ${world.errors.slice(0, 3).join(' | ')}`,
            );
          }
          if (findCanary(world.transcript()).length) leaks.push(`${fault.name} ${trial.poll}/${trial.step}`);
        }
        row.ms = performance.now() - started;
        rows.push(row);
        expect(failures.slice(0, 5)).toEqual([]);
        expect(leaks).toEqual([]);
      },
      FULL ? HOUR : 2 * MINUTE,
    );
  });
}
