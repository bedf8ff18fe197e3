// What one poll reads from one EM. A real EM copies sessions from each backup server with a collection job, late
// and all at once after an outage, stamped by that server's own clock (docs/em-client.md, "Timing"). So the read
// window is kept per backup server: the newest time a server stamped that we read, capped at our own clock, is
// evidence that the EM has collected that server up to there; anything of that server not yet read was created or
// ended after it (less an overlap). Servers read recently share one window; the others (late, quiet, or on a slow
// clock) ride along as a few grouped terms of the same query. Sessions still running at the last poll, and failed
// ones whose task sessions the EM had not collected yet, are read again by UID. Final sessions already decided are
// skipped, so a re-read costs no task-session requests. Everything is streamed; the next bookkeeping is the
// generator's return value.

import { endOf } from '../alerts/runs.ts';
import type { EmSession } from '../em/client.ts';
import { EmError } from '../em/errors.ts';
import type { Filter } from '../em/filter.ts';
import { isFinal, TIME_FIELDS } from '../em/model.ts';
import { type CdpRun, type ReplicaRun, type Run, runs, type SessionType } from '../em/runs.ts';
import { pollFilter, serversFilter, uidFilter, windowFilter } from './filters.ts';
import type { Refused } from './schedules.ts';

type SessionLike = {
  uid: string;
  state: string;
  result: string;
  creationTime: string;
  endTime: string | null;
  backupServerUid: string | null;
};

/** Per-EM bookkeeping kept between polls (stored as the EM's META item). */
export interface ReadState {
  version: 2;
  /** Our clock at the start of the last poll that read the EM to the end. */
  polledAt: string;
  /**
   * Per backup server UID: how far we know the EM has collected it. One collection job copies a server's replica
   * and CDP sessions alike, so a session of either type is evidence for both.
   */
  servers: Record<string, ServerCursor>;
  types: Partial<Record<SessionType, TypeState>>;
  /** The schedule queries the EM refused, and when: asked again a day later (poller/schedules.ts). */
  refused?: Refused;
}

export interface TypeState {
  /** Sessions not finished at the last poll. */
  running: string[];
  /** Failed or Warning sessions read before their task sessions were collected: UID → waited for until then. */
  awaiting: Record<string, string>;
  /** Final sessions already decided, per backup server UID ('' when the EM names none): UID → their time. */
  decided: Record<string, Record<string, string>>;
}

export interface ServerCursor {
  /** The newest time the server stamped on a session we read (its clock), capped at that poll's clock. */
  stamp: string;
  /** When (our clock) `stamp` last moved: a cursor that stopped moving is read back no further than the lag. */
  movedAt: string;
}

export interface ReadOptions {
  now: Date;
  /** How far back a first poll looks. */
  lookbackMs: number;
  /** How far before a server's cursor each poll re-reads, for sessions collected out of order. */
  overlapMs: number;
  /** How late the EM may collect a session and still have it read: the oldest window any server keeps. */
  collectionLagMs: number;
  /** How long a failed session is read again for task sessions the EM has not collected yet. */
  taskWaitMs: number;
  cdp: boolean;
  /** Told when the list of backup servers cannot be read (servers new to us then share the common window). */
  warn?: (message: string) => void;
}

/** Running or awaited sessions that ride along in the window query (each adds ~100 URL characters). */
const FOLDED_UIDS = 20;
/** Servers on their own window are grouped into at most this many terms, split at the widest gaps. */
const MAX_GROUPS = 4;

export type Batch =
  | { type: 'ReplicaJobSession'; runs: ReplicaRun[] }
  | { type: 'CdpReplicaSession'; runs: CdpRun[] };

const iso = (ms: number) => new Date(ms).toISOString();
const at = (time: string) => Date.parse(time);

/** `previous`: the bookkeeping of the last poll that read the EM to the end (`upgrade`d), null on a first poll. */
export async function* readEm(
  em: EmSession,
  previous: ReadState | null,
  options: ReadOptions,
): AsyncGenerator<Batch, ReadState> {
  const nowMs = options.now.getTime();
  const listed = previous ? await listServers(em, options) : [];
  const plan = planWindow(previous, listed, options);
  const servers = plan.cursors;
  const next: ReadState = { version: 2, polledAt: iso(nowMs), servers, types: {} };
  const types: SessionType[] = options.cdp
    ? ['ReplicaJobSession', 'CdpReplicaSession']
    : ['ReplicaJobSession'];
  for (const type of types) {
    const before = previous?.types[type];
    const decided: Record<string, string> = Object.assign({}, ...Object.values(before?.decided ?? {}));
    const awaiting = { ...before?.awaiting };
    const remembered = new Set([...(before?.running ?? []), ...Object.keys(awaiting)]);
    const seen = new Set<string>();
    const running: string[] = [];
    const stillAwaiting: Record<string, string> = {};
    const decidedBy: Record<string, Record<string, string>> = {};

    const take = (runs: Run<SessionLike, { state: string }>[]) => {
      const fresh: Run<SessionLike, { state: string }>[] = [];
      for (const run of runs) {
        const { session } = run;
        const { uid } = session;
        const server = session.backupServerUid ?? '';
        remembered.delete(uid);
        if (server) {
          const stamped = Math.min(nowMs, at(session.endTime ?? session.creationTime));
          const known = servers[server];
          if (!known || stamped > at(known.stamp))
            servers[server] = { stamp: iso(stamped), movedAt: iso(nowMs) };
        }
        if (seen.has(uid)) continue; // returned by two of this poll's queries
        seen.add(uid);
        if (!isFinal(session)) running.push(uid);
        if (decided[uid]) continue; // decided at an earlier poll, re-read only because a window covers it
        if (isFinal(session) && session.result !== 'Success' && !collected(run.tasks)) {
          // The EM shows a failed run before it has collected its VMs (or their ends): it goes to the engine now
          // (which holds it until then), and is read again until they come or the wait is over.
          const until = awaiting[uid] ?? iso(nowMs + options.taskWaitMs);
          if (nowMs < at(until)) {
            stillAwaiting[uid] = until;
            fresh.push({ ...run, awaitingTasksUntil: until });
            continue;
          }
        }
        // Kept while a later window can still return it, by creation or by end time.
        if (isFinal(session)) {
          const bucket = decidedBy[server] ?? {};
          bucket[uid] = endOf(session);
          decidedBy[server] = bucket;
        }
        fresh.push(run);
      }
      return fresh;
    };
    // A running CDP policy session lasts a day: its VM syncs are decided while it runs, so they are read too.
    const needsTasks = (session: SessionLike) =>
      isFinal(session) ? session.result !== 'Success' && !decided[session.uid] : type === 'CdpReplicaSession';

    const filters = planFilters(em, type, plan, remembered);
    for (const filter of filters) {
      for await (const page of runs(em, type, { filter, needsTasks })) {
        const fresh = take(page);
        if (fresh.length) yield { type, runs: fresh } as Batch;
      }
    }
    // Keep a decision while a later window can return its session: no later than that server's next floor.
    // The common window starts at most two overlaps before this poll (plus the time to the next poll).
    const keepFrom = (server: string) =>
      Math.min(
        nowMs - 3 * options.overlapMs,
        server && servers[server] ? at(servers[server].stamp) - options.overlapMs : nowMs,
      );
    const kept: Record<string, Record<string, string>> = {};
    for (const [server, entries] of Object.entries(mergeDecided(before, decidedBy))) {
      const live = Object.entries(entries).filter(([, time]) => at(time) >= keepFrom(server));
      if (live.length) kept[server] = Object.fromEntries(live);
    }
    next.types[type] = { running, awaiting: stillAwaiting, decided: kept };
  }
  return next;
}

/**
 * The poll's queries: the common window with the servers behind and the remembered UIDs, as long as its URL fits;
 * groups that do not fit get queries of their own, their servers split to fit; remembered UIDs beyond a few, too.
 */
function planFilters(
  em: EmSession,
  type: SessionType,
  plan: Plan,
  remembered: ReadonlySet<string>,
): Filter[] {
  const since = (time: string) => new Date(time);
  const fold = remembered.size <= FOLDED_UIDS ? [...remembered] : [];
  const joined: Filter[] = [];
  const apart: Plan['groups'] = [];
  for (const group of plan.groups) {
    const term = serversFilter(type, group.servers, since(group.since));
    if (em.fits(type, pollFilter(type, since(plan.common), [...joined, term], fold))) joined.push(term);
    else apart.push(group);
  }
  const filters = [pollFilter(type, since(plan.common), joined, fold)];
  for (const group of apart) {
    const window = encodeURIComponent(`();(${windowFilter(type, since(group.since))})`).length;
    for (const servers of em.uidBatches(type, 'BackupServerUid', group.servers, window))
      filters.push(serversFilter(type, servers, since(group.since)));
  }
  const rest = [...remembered].filter((uid) => !fold.includes(uid));
  for (const batch of em.uidBatches(type, TIME_FIELDS[type].uid, rest)) filters.push(uidFilter(type, batch));
  return filters;
}

/** A finished run's task sessions as the EM has them: none yet, or some still shown running, is not all of them. */
const collected = (tasks: readonly { state: string }[]) =>
  tasks.length > 0 && tasks.every((task) => task.state === 'Completed');

/** The earlier decisions with this poll's added, per server. */
function mergeDecided(before: TypeState | undefined, added: Record<string, Record<string, string>>) {
  const merged: Record<string, Record<string, string>> = { ...before?.decided };
  for (const [server, entries] of Object.entries(added)) merged[server] = { ...merged[server], ...entries };
  return merged;
}

interface Plan {
  /** The window every server shares (and servers the EM names none for, and servers new to us). */
  common: string;
  /** Servers read from an earlier time than the common window, grouped. */
  groups: { servers: string[]; since: string }[];
  /** Every server we keep a cursor for, new ones included. */
  cursors: Record<string, ServerCursor>;
}

/**
 * A first poll reads one window back to the lookback. A later one reads each server from its cursor less the
 * overlap: a server whose sessions keep arriving however late (a steady lag, a slow clock) is followed wherever
 * its cursor is; one whose cursor has not moved for the collection lag (quiet, or not collected) is read back no
 * further than the lag. Servers within an overlap of the last poll share the common window (which starts an
 * overlap before the last poll); the rest are grouped.
 */
export function planWindow(
  previous: ReadState | null,
  listed: readonly string[],
  options: ReadOptions,
): Plan {
  const nowMs = options.now.getTime();
  const { overlapMs, collectionLagMs } = options;
  const lagFloor = nowMs - collectionLagMs;
  if (!previous) {
    const since = nowMs - options.lookbackMs;
    const cursor = { stamp: iso(Math.min(nowMs, since + overlapMs)), movedAt: iso(nowMs) };
    return {
      common: iso(since),
      groups: [],
      cursors: Object.fromEntries(listed.map((uid) => [uid, cursor])),
    };
  }
  const polledMs = Math.min(nowMs, at(previous.polledAt));
  const cursors: Record<string, ServerCursor> = {};
  // A server new to us: its sessions may have been collected at any time within the lag.
  for (const uid of listed) cursors[uid] = { stamp: iso(lagFloor + overlapMs), movedAt: iso(nowMs) };
  let common = polledMs - overlapMs;
  const behind: { uid: string; since: number }[] = [];
  for (const [uid, cursor] of Object.entries({ ...cursors, ...previous.servers })) {
    const stalled = nowMs - at(cursor.movedAt) > collectionLagMs;
    // A server the EM no longer lists, with nothing left to collect within the lag, is forgotten.
    if (stalled && listed.length && !listed.includes(uid)) continue;
    cursors[uid] = cursor;
    const from = Math.min(at(cursor.stamp), polledMs) - overlapMs;
    const since = stalled ? Math.max(from, lagFloor) : from;
    if (since >= polledMs - 2 * overlapMs) common = Math.min(common, since);
    else behind.push({ uid, since });
  }
  const groups = group(behind).map(({ servers, since }) => ({ servers, since: iso(since) }));
  return { common: iso(common), groups, cursors };
}

/** Sorted by floor and split at the widest gaps into at most MAX_GROUPS groups, each read from its earliest floor. */
function group(behind: { uid: string; since: number }[]): { servers: string[]; since: number }[] {
  const sorted = [...behind].sort((a, b) => a.since - b.since || (a.uid < b.uid ? -1 : 1));
  const cuts = sorted
    .slice(1)
    .map((server, i) => ({ at: i + 1, gap: server.since - (sorted[i]?.since ?? 0) }))
    .sort((a, b) => b.gap - a.gap || a.at - b.at)
    .slice(0, MAX_GROUPS - 1)
    .filter((cut) => cut.gap > 0)
    .map((cut) => cut.at)
    .sort((a, b) => a - b);
  const groups: { servers: string[]; since: number }[] = [];
  let start = 0;
  for (const end of [...cuts, sorted.length]) {
    const slice = sorted.slice(start, end);
    if (slice[0]) groups.push({ servers: slice.map((s) => s.uid), since: slice[0].since });
    start = end;
  }
  return groups;
}

/** What an EM that answers everything else may still answer `GET /backupServers` with. */
const LIST_OPTIONAL = new Set(['forbidden', 'api-not-available', 'em-error', 'unparseable']);

/** The backup servers the EM collects from; unreadable (an older EM, a role without access) is not fatal. */
async function listServers(em: EmSession, options: ReadOptions): Promise<string[]> {
  try {
    return (await em.backupServers()).map((server) => server.uid);
  } catch (error) {
    if (!(error instanceof EmError && LIST_OPTIONAL.has(error.kind))) throw error;
    options.warn?.(
      `the list of backup servers could not be read (${error.message}); a backup server new to replica-alerts ` +
        'is then read only from the last poll on.',
    );
    return [];
  }
}

/** The bookkeeping of an earlier version: one cursor per source type, every server read from it. */
export interface ReadStateV1 {
  cursors: Partial<Record<SessionType, string>>;
  running: Partial<Record<SessionType, string[]>>;
  decided?: Partial<Record<SessionType, Record<string, string>>>;
}

/** What an EM's META item may hold: this version's bookkeeping or an earlier one's. */
export type StoredReadState = ReadState | ReadStateV1;

export function upgrade(stored: StoredReadState | null): ReadState | null {
  if (!stored || typeof stored !== 'object') return null;
  if ('version' in stored && stored.version === 2) return stored;
  const old = stored as ReadStateV1;
  const cursors = Object.values(old.cursors ?? {}).filter((c): c is string => typeof c === 'string');
  if (!cursors.length) return null;
  const types: ReadState['types'] = {};
  for (const type of ['ReplicaJobSession', 'CdpReplicaSession'] as const) {
    types[type] = {
      running: old.running?.[type] ?? [],
      awaiting: {},
      decided: { '': { ...old.decided?.[type] } },
    };
  }
  return { version: 2, polledAt: cursors.sort().at(-1) ?? '', servers: {}, types };
}
