// What one poll reads from one EM: the sessions created since the cursor (minus a safety overlap for sessions
// the EM collects late from its backup servers), plus the sessions still running at the last poll, wherever
// their creation time lies. Final non-success sessions already decided are skipped, so a re-read overlap costs
// no task-session requests. Everything is streamed; the next bookkeeping is the generator's return value.

import type { EmSession } from '../em/client.ts';
import { compare, eq, type Filter, or } from '../em/filter.ts';
import { isFinal, TIME_FIELDS } from '../em/model.ts';
import { type CdpRun, cdpRuns, type ReplicaRun, type Run, replicaRuns } from '../em/runs.ts';

type SessionLike = {
  uid: string;
  state: string;
  result: string;
  creationTime: string;
  endTime: string | null;
};

export type SourceType = 'ReplicaJobSession' | 'CdpReplicaSession';

/** Per-EM bookkeeping kept between polls (stored as the EM's META item). */
export interface ReadState {
  /** Latest session creation time seen, per source type (EM clock). */
  cursors: Partial<Record<SourceType, string>>;
  /** Sessions not finished at the last poll, per source type. */
  running: Partial<Record<SourceType, string[]>>;
  /** Final sessions already decided, with their end time, while a poll can still read them again. */
  decided: Partial<Record<SourceType, Record<string, string>>>;
}

export interface ReadOptions {
  now: Date;
  /** How far back a first poll looks. */
  lookbackMs: number;
  /** How far before the cursor each poll re-reads, for sessions the EM learns about late. */
  overlapMs: number;
  cdp: boolean;
}

/** Running sessions remembered from the last poll that ride along in the window query (each adds ~100 URL characters). */
const FOLDED_UIDS = 20;

export type Batch =
  | { type: 'ReplicaJobSession'; runs: ReplicaRun[] }
  | { type: 'CdpReplicaSession'; runs: CdpRun[] };

export async function* readEm(
  em: EmSession,
  previous: ReadState | null,
  options: ReadOptions,
): AsyncGenerator<Batch, ReadState> {
  const next: ReadState = { cursors: {}, running: {}, decided: {} };
  const types: SourceType[] = options.cdp
    ? ['ReplicaJobSession', 'CdpReplicaSession']
    : ['ReplicaJobSession'];
  for (const type of types) {
    const cursor = previous?.cursors[type];
    const since = cursor
      ? new Date(Date.parse(cursor) - options.overlapMs)
      : new Date(options.now.getTime() - options.lookbackMs);
    const decided = { ...previous?.decided[type] };
    const remembered = new Set(previous?.running[type] ?? []);
    const running: string[] = [];
    let latest = cursor ?? '';

    const take = (runs: Run<SessionLike, unknown>[]) => {
      const fresh: Run<SessionLike, unknown>[] = [];
      for (const run of runs) {
        const { uid, creationTime } = run.session;
        remembered.delete(uid);
        if (creationTime > latest) latest = creationTime;
        if (!isFinal(run.session)) running.push(uid);
        if (decided[uid]) continue; // decided at an earlier poll, re-read only because of the overlap
        // Kept while a later window can still return it, by creation or by end time.
        if (isFinal(run.session)) decided[uid] = run.session.endTime ?? creationTime;
        fresh.push(run);
      }
      return fresh;
    };
    // A running CDP policy session lasts a day: its VM syncs are decided while it runs, so they are read too.
    const needsTasks = (session: SessionLike) =>
      isFinal(session) ? session.result !== 'Success' && !decided[session.uid] : type === 'CdpReplicaSession';

    // Created in the window, or ended in it (a CDP policy session runs for a day before it ends), or still
    // running from before it: a few such UIDs ride along in the same query, more get their own batches.
    const fields = TIME_FIELDS[type];
    const window = [compare(fields.creation, '>=', since), compare(fields.end, '>=', since)];
    const fold = remembered.size <= FOLDED_UIDS ? [...remembered] : [];
    const filters = [or(...window, ...fold.map((uid) => eq(fields.uid, uid)))];
    const rest = [...remembered].filter((uid) => !fold.includes(uid));
    for (const batch of em.uidBatches(type, fields.uid, rest))
      filters.push(or(...batch.map((uid) => eq(fields.uid, uid))));
    for (const filter of filters) {
      for await (const runs of source(em, type, filter, needsTasks)) {
        const fresh = take(runs);
        if (fresh.length) yield { type, runs: fresh } as Batch;
      }
    }
    // Forget decisions that have left the overlap window: no later poll reads those sessions again.
    const horizon = new Date(Date.parse(latest || since.toISOString()) - options.overlapMs).toISOString();
    next.decided[type] = Object.fromEntries(Object.entries(decided).filter(([, seen]) => seen >= horizon));
    if (latest) next.cursors[type] = latest;
    next.running[type] = running;
  }
  return next;
}

function source(
  em: EmSession,
  type: SourceType,
  filter: Filter,
  needsTasks: (session: SessionLike) => boolean,
): AsyncGenerator<Run<SessionLike, unknown>[]> {
  return type === 'ReplicaJobSession'
    ? replicaRuns(em, { filter, needsTasks })
    : cdpRuns(em, { filter, needsTasks });
}
