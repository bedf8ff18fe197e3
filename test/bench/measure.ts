// What one poll cost at the EM, from the simulator's own log: its requests by kind, when they arrived (stamped as
// they are logged), how long the EM session lasted, and the longest query URLs the client sent.

import type { RequestRecord, Simulator } from '../../functions/simulator/index.ts';
import { clientUrl } from './estate.ts';
import type { PollResult, ReplayRequest } from './protocol.ts';

export interface PollFigures {
  result: PollResult;
  requests: number;
  /** Requests by kind: logon, logoff, and the entity type of each query. */
  breakdown: Record<string, number>;
  /** From the logon's arrival at the EM to the logoff's answer: the poll's EM session alone. */
  emPhaseMs: number;
  /** Longest task-session URL the client sent, rebuilt from the simulator's log. */
  longestUrl: number;
  /** Per entity type, the longest query URL sent (rebuilt likewise) and the filter it carried. */
  longestQuery: Record<string, { chars: number; filter: string }>;
}

export type Measured = Awaited<ReturnType<typeof measure>>;

export function pollFigures(m: Measured, apiBase: string): PollFigures {
  const longestQuery: PollFigures['longestQuery'] = {};
  for (const r of m.log) {
    const type = r.query.type;
    if (type === undefined) continue;
    const chars = clientUrl(apiBase, r.query).length;
    if (chars > (longestQuery[type]?.chars ?? -1))
      longestQuery[type] = { chars, filter: r.query.filter ?? '' };
  }
  return {
    result: m.result,
    requests: m.log.length,
    breakdown: breakdown(m.log),
    emPhaseMs: m.emPhaseMs,
    longestUrl: Math.max(
      0,
      ...Object.entries(longestQuery)
        .filter(([type]) => type.endsWith('TaskSession'))
        .map(([, q]) => q.chars),
    ),
    longestQuery,
  };
}

/** When each request reached the simulator, parallel to `sim.requests` (it logs no times of its own). */
export function stampArrivals(sim: Simulator): number[] {
  const arrivals: number[] = [];
  const log = sim.requests;
  log.push = (...items) => {
    for (const _ of items) arrivals.push(performance.now());
    return Array.prototype.push.apply(log, items);
  };
  return arrivals;
}

/** Runs one poll and returns it with the EM requests it made (from the simulator's log) and their times. */
export async function measure(
  sim: Simulator,
  arrivals: number[],
  latencyMs: number,
  poll: () => Promise<PollResult>,
) {
  const before = sim.requests.length;
  const result = await poll();
  if (result.summary.status !== 'ok') throw new Error(`The poll failed: ${JSON.stringify(result.summary)}`);
  const log = sim.requests.slice(before);
  const times = arrivals.slice(before);
  // The logoff is answered `latencyMs` after it arrives (it does no work).
  const emPhaseMs = (times.at(-1) ?? 0) + latencyMs - (times[0] ?? 0);
  return { result, log, emPhaseMs };
}

function breakdown(log: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) {
    // `/api/backupServers` reads as `backupServers`.
    const kind =
      r.method === 'POST'
        ? 'logon'
        : r.method === 'DELETE'
          ? 'logoff'
          : (r.query.type ?? r.path.replace(/^.*\/(?=[^/])|\/$/g, ''));
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** A poll's GETs, to replay as the download floor (logon and logoff are the floor's own). */
export function replayOf(log: readonly RequestRecord[]): ReplayRequest[] {
  return log.filter((r) => r.method === 'GET').map(({ path, query }) => ({ path, query }));
}
