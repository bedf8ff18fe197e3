// The read plan (which window each backup server is read from), and `check` kept in step with the reader: every
// filter a poll sends, in every branch, has the shape of one that `check` sends to an EM before the first poll.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../functions/duration.ts';
import { withSession } from '../../functions/em/client.ts';
import { probes } from '../../functions/poller/filters.ts';
import { planWindow, type ReadOptions, type ReadState, readEm } from '../../functions/poller/read.ts';
import { type FilterNode, parseFilter } from '../../functions/simulator/filter.ts';
import {
  FAILURE_REASONS,
  ScenarioBuilder,
  type Simulator,
  startSimulator,
} from '../../functions/simulator/index.ts';
import { canaryUser } from '../support/canary.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const OPTIONS: ReadOptions = {
  now: new Date(NOW),
  lookbackMs: 24 * HOUR,
  overlapMs: HOUR,
  collectionLagMs: 24 * HOUR,
  taskWaitMs: HOUR,
  cdp: true,
};
const server = (n: number) => `urn:veeam:BackupServer:00000000-0000-0000-0000-00000000000${n}`;
const cursor = (stampAgoMin: number, movedAgoMin = 5) => ({
  stamp: iso(NOW - stampAgoMin * MINUTE),
  movedAt: iso(NOW - movedAgoMin * MINUTE),
});
/** What an earlier poll five minutes ago left: these server cursors, and for each type these running sessions. */
const state = (servers: ReadState['servers'] = {}, running: string[] = [], awaiting = {}): ReadState => ({
  version: 2,
  polledAt: iso(NOW - 5 * MINUTE),
  servers,
  types: {
    ReplicaJobSession: { running, awaiting, decided: {} },
    CdpReplicaSession: { running: [], awaiting: {}, decided: {} },
  },
});

describe('the read plan', () => {
  it('reads one window back to the lookback on a first poll', () => {
    expect(planWindow(null, [], OPTIONS)).toEqual({
      common: iso(NOW - 24 * HOUR),
      groups: [],
      cursors: {},
    });
  });

  it('reads servers collected recently in one window, from an overlap before the last poll', () => {
    const before = state({ [server(1)]: cursor(7), [server(2)]: cursor(20) });
    const plan = planWindow(before, [server(1), server(2)], OPTIONS);
    expect(plan.common).toBe(iso(NOW - 80 * MINUTE)); // server 2's cursor less the overlap, the earliest
    expect(plan.groups).toEqual([]);
  });

  it('reads a server collected late from its own cursor, however far back while its cursor moves', () => {
    // Collected 30 h late (a steady lag on a slow clock): its newest stamp is 30 h old, but it moved 5 min ago.
    const before = state({ [server(1)]: cursor(10), [server(2)]: cursor(30 * 60) });
    const plan = planWindow(before, [], OPTIONS);
    expect(plan.groups).toEqual([{ servers: [server(2)], since: iso(NOW - 31 * HOUR) }]);
  });

  it('reads a server whose cursor stopped moving back no further than the collection lag', () => {
    const before = state({ [server(1)]: cursor(10), [server(2)]: cursor(40 * 60, 30 * 60) });
    const plan = planWindow(before, [server(1), server(2)], OPTIONS);
    expect(plan.groups).toEqual([{ servers: [server(2)], since: iso(NOW - 24 * HOUR) }]);
  });

  it('reads a server new to it back to the collection lag, and forgets one gone from the list and stalled', () => {
    const before = state({ [server(1)]: cursor(10), [server(3)]: cursor(40 * 60, 30 * 60) });
    const plan = planWindow(before, [server(1), server(2)], OPTIONS);
    expect(plan.groups).toEqual([{ servers: [server(2)], since: iso(NOW - 24 * HOUR) }]);
    expect(Object.keys(plan.cursors).sort()).toEqual([server(1), server(2)]);
  });

  it('caps a cursor at its poll: a server whose clock runs ahead does not hold back the others', () => {
    const before = state({ [server(1)]: cursor(-180), [server(2)]: cursor(10) });
    const plan = planWindow(before, [], OPTIONS);
    expect(plan.common).toBe(iso(NOW - 70 * MINUTE)); // server 2's; server 1's is capped at the last poll
    expect(plan.groups).toEqual([]);
  });

  it('groups servers behind into at most four terms, split at the widest gaps', () => {
    const behind = Object.fromEntries(
      [3, 3.5, 4, 10, 10.5, 15, 20, 20.2].map((h, i) => [server(i), cursor(h * 60)]),
    );
    const plan = planWindow(state(behind), [], OPTIONS);
    expect(plan.groups.map((g) => g.servers.length)).toEqual([2, 1, 2, 3]);
    expect(plan.groups.map((g) => g.since)).toEqual([21.2, 16, 11.5, 5].map((h) => iso(NOW - h * HOUR)));
  });
});

/** A filter's shape: field and operator of each comparison, values dropped, repeats and order ignored. */
type Shape = { kind: 'compare'; text: string } | { kind: 'and' | 'or'; items: Shape[] };
function shapeOf(node: FilterNode): Shape {
  if (node.kind === 'compare') return { kind: 'compare', text: `${node.field}${node.op}` };
  const items = new Map<string, Shape>();
  const add = (child: FilterNode) => {
    if (child.kind === node.kind) child.items.forEach(add);
    else {
      const shape = shapeOf(child);
      items.set(JSON.stringify(shape), shape);
    }
  };
  node.items.forEach(add);
  const sorted = [...items.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
  return sorted.length === 1 && sorted[0] ? sorted[0] : { kind: node.kind, items: sorted };
}

/** Whether an EM that accepts `probe` accepts `sent`: the same shape, or an OR with fewer alternatives. */
function covers(probe: Shape, sent: Shape): boolean {
  if (sent.kind === 'compare' || probe.kind === 'compare' || probe.kind !== sent.kind)
    return (
      JSON.stringify(probe) === JSON.stringify(sent) ||
      (probe.kind === 'or' && probe.items.some((p) => covers(p, sent)))
    );
  if (sent.kind === 'or') return sent.items.every((s) => probe.items.some((p) => covers(p, s)));
  return (
    sent.items.length === probe.items.length && sent.items.every((s, i) => covers(probe.items[i] as Shape, s))
  );
}

describe('the read plan on the wire', () => {
  it('keeps every query URL under the limit, however many servers are behind, and reads each of them', async () => {
    const USER = canaryUser('TECH\\svc-wide');
    const sim = await startSimulator({ users: [USER] });
    try {
      const behind = Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [
          `urn:veeam:BackupServer:00000000-0000-0000-0000-0000000000${10 + i}`,
          cursor(120 + 20 * i),
        ]),
      );
      const previous = state(behind);
      const maxUrlLength = 2_000;
      await withSession({ name: 'wide', url: sim.url, credentials: USER, maxUrlLength }, async (em) => {
        const reader = readEm(em, previous, { ...OPTIONS, cdp: false });
        for (let step = await reader.next(); !step.done; step = await reader.next());
      });
      const queries = sim.requests.filter((r) => r.path === '/api/query');
      const url = (q: Record<string, string>) =>
        `${sim.url}query?${Object.entries(q)
          .map(([k, v]) => `${k}=${k === 'filter' ? encodeURIComponent(v) : v}`)
          .join('&')}`;
      expect(queries.length).toBeGreaterThan(1);
      for (const q of queries) expect(url(q.query).length).toBeLessThanOrEqual(maxUrlLength);
      const named = queries.map((q) => q.query.filter ?? '').join(' ');
      for (const uid of Object.keys(behind)) expect(named).toContain(uid);
    } finally {
      await sim.close();
    }
  });
});

describe('check and the reader', () => {
  const USER = canaryUser('TECH\\svc-shapes');
  let sim: Simulator;
  beforeAll(async () => {
    const b = new ScenarioBuilder({ now: iso(NOW), seed: 'shapes' });
    const job = b.replicaJob('Failing', { backupServer: 'vbr01.tech.local' });
    job.run({
      start: iso(NOW - 30 * MINUTE),
      vms: [{ name: 'vm1', result: 'Failed', reason: FAILURE_REASONS[0] }],
    });
    b.cdpPolicy('CDP', { backupServer: 'vbr02.tech.local' }).session({
      start: iso(NOW - 2 * HOUR),
      vms: ['dc01'],
    });
    sim = await startSimulator({ scenario: b.build(), users: [USER] });
  });
  afterAll(() => sim.close());

  it('sends no filter a poll sends that check did not prove, in any branch of the reader', async () => {
    const running = (n: number) => Array.from({ length: n }, (_, i) => `urn:veeam:ReplicaJobSession:${i}`);
    const behind = {
      [server(1)]: cursor(10),
      [server(2)]: cursor(300),
      [server(3)]: cursor(600),
      [server(4)]: cursor(610),
    };
    const states: (ReadState | null)[] = [
      null, // a first poll
      state(behind), // servers behind, grouped
      state(behind, running(2), { x: iso(NOW + HOUR) }), // running and awaited sessions folded into the window
      state(behind, running(45)), // running beyond the fold: batches of their own
    ];
    for (const previous of states) {
      await withSession(
        { name: 'shapes', url: sim.url, credentials: USER, maxUrlLength: 2_000 },
        async (em) => {
          const reader = readEm(em, previous, OPTIONS);
          for (let step = await reader.next(); !step.done; step = await reader.next());
        },
      );
    }
    const sent = sim.requests.filter((r) => r.path === '/api/query' && r.query.filter);
    const proven = probes(new Date(NOW)).map((p) => ({
      type: p.type,
      shape: shapeOf(parseFilter(String(p.filter))),
    }));
    const kinds = new Set<string>();
    for (const request of sent) {
      const shape = shapeOf(parseFilter(request.query.filter ?? ''));
      kinds.add(`${request.query.type} ${JSON.stringify(shape)}`);
      const found = proven.some((p) => p.type === request.query.type && covers(p.shape, shape));
      expect(found, `${request.query.type}: ${request.query.filter}`).toBe(true);
    }
    // Every branch was taken: windows with and without servers behind and UIDs, UID batches, task batches.
    expect(kinds.size).toBeGreaterThanOrEqual(8);
  });
});
