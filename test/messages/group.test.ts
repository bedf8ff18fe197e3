// Grouping a storm: which alerts go alone and which together, in what order, under which id, and split so that
// every group's message fits SNS.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertEvent, eventId } from '../../functions/alerts/event.ts';
import { groupAttributesOf } from '../../functions/messages/attributes.ts';
import { type AlertGroup, groupAlerts } from '../../functions/messages/group.ts';
import { GROUP_ATTRIBUTE_BYTES } from '../../functions/messages/limits.ts';
import { utf8Bytes } from '../../functions/messages/text.ts';
import { jobFailure, sourceUnreachable } from '../support/messages-data.ts';

const base = jobFailure();

interface Spec {
  event?: AlertEvent['event'];
  severity?: AlertEvent['severity'];
  alertSeverity?: AlertEvent['alertSeverity'];
  name?: string;
  server?: string;
}

/** The `i`-th job's event: a failure of `Replica Job <i>` on srv02 unless `spec` says otherwise. */
function alert(i: number, spec: Spec = {}): AlertEvent {
  const alertSeverity = spec.alertSeverity ?? 'Failed';
  const event = spec.event ?? 'failure';
  const severity = spec.severity ?? (event === 'resolved' ? 'Success' : alertSeverity);
  const uid = `urn:veeam:Job:${i}`;
  return {
    ...base,
    id: eventId([uid, event, severity]),
    event,
    severity,
    alertSeverity,
    subject: {
      ...base.subject,
      uid,
      name: spec.name ?? `Replica Job ${String(i).padStart(4, '0')}`,
      backupServer: spec.server ?? 'srv02.tech.local',
    },
  };
}

const alerts = (n: number, spec: Spec = {}, from = 0) =>
  Array.from({ length: n }, (_, i) => alert(from + i, spec));
const ids = (events: readonly AlertEvent[]) => events.map((e) => e.id);
const members = (groups: AlertGroup[]) => groups.map((g) => g.events.length);

describe('groupAlerts', () => {
  it('sends every alert alone up to `groupAbove`, and never groups with 0', () => {
    const five = alerts(5);
    expect(groupAlerts(five, 5)).toEqual({ singles: five, groups: [] });
    const many = alerts(100);
    expect(groupAlerts(many, 0)).toEqual({ singles: many, groups: [] });
  });

  it('groups above it, one group per kind and alert severity; a lone kind stays single', () => {
    const failed = alerts(4);
    const warned = alerts(3, { alertSeverity: 'Warning' }, 10);
    const resolved = alerts(2, { event: 'resolved' }, 20);
    const stale = alert(30, { event: 'stale', alertSeverity: 'Warning' });
    const { singles, groups } = groupAlerts([stale, ...resolved, ...warned, ...failed], 5);
    expect(ids(singles)).toEqual([stale.id]);
    expect(groups.map((g) => [g.event, g.alertSeverity, g.events.length])).toEqual([
      ['resolved', 'Failed', 2],
      ['failure', 'Warning', 3],
      ['failure', 'Failed', 4],
    ]);
    for (const g of groups) expect(g.enterpriseManager).toBe('em-prod');
  });

  it("sends the EM's own events alone, whatever else is sent", () => {
    const unreachable = sourceUnreachable();
    const reachable = { ...unreachable, id: 'x', event: 'resolved' as const, severity: 'Success' as const };
    const resolved = alerts(6, { event: 'resolved' });
    const { singles, groups } = groupAlerts([reachable, ...resolved], 5);
    expect(ids(singles)).toEqual([reachable.id]);
    expect(members(groups)).toEqual([6]);
  });

  it('lists failed runs first, then warnings, each by name', () => {
    const events = [
      alert(1, { name: 'b' }),
      alert(2, { name: 'c', severity: 'Warning' }), // a run ending Warning under a Failed alert
      alert(3, { name: 'a', severity: 'Warning' }),
      alert(4, { name: 'd' }),
      alert(5, { name: 'a' }),
      alert(6, { name: 'e' }),
    ];
    const [group] = groupAlerts(events, 5).groups;
    expect(group?.events.map((e) => `${e.severity} ${e.subject.name}`)).toEqual([
      'Failed a',
      'Failed b',
      'Failed d',
      'Failed e',
      'Warning a',
      'Warning c',
    ]);
  });

  it('gives the same members the same id, in any order, and other members another', () => {
    const events = alerts(8);
    const id = (list: AlertEvent[]) => groupAlerts(list, 5).groups.map((g) => g.id);
    expect(id([...events].reverse())).toEqual(id(events));
    expect(id([events[3], ...events.slice(4), ...events.slice(0, 3)] as AlertEvent[])).toEqual(id(events));
    expect(id(events.slice(1))).not.toEqual(id(events));
    expect(id(events)[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("splits a storm whose names exceed one message's attributes, each event in exactly one group", () => {
    const storm = Array.from({ length: 2000 }, (_, i) =>
      alert(i, {
        name: `${'J'.repeat(996)}${String(i).padStart(4, '0')}`,
        server: `srv${i % 300}.${'s'.repeat(200)}`,
      }),
    );
    const { singles, groups } = groupAlerts(storm, 5);
    expect(groups.length).toBeGreaterThan(10);
    for (const group of groups) {
      const { job, backupServer } = groupAttributesOf(group);
      expect(utf8Bytes(JSON.stringify(job)) + utf8Bytes(JSON.stringify(backupServer))).toBeLessThanOrEqual(
        GROUP_ATTRIBUTE_BYTES,
      );
    }
    expect([...ids(singles), ...groups.flatMap((g) => ids(g.events))].sort()).toEqual(ids(storm).sort());
  });

  it('holds every event exactly once, singles and members together, for any input', () => {
    const spec = fc.record({
      event: fc.constantFrom('failure', 'reminder', 'resolved', 'stale'),
      alertSeverity: fc.constantFrom('Failed', 'Warning'),
      name: fc.string({ maxLength: 400 }),
      server: fc.string({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(
        fc.array(spec, { maxLength: 300 }),
        fc.integer({ min: 0, max: 20 }),
        (specs, groupAbove) => {
          const events = specs.map((s, i) => alert(i, s as Spec));
          const { singles, groups } = groupAlerts(events, groupAbove);
          expect([...ids(singles), ...groups.flatMap((g) => ids(g.events))].sort()).toEqual(
            ids(events).sort(),
          );
          for (const g of groups) {
            expect(g.events.length).toBeGreaterThanOrEqual(2);
            expect(new Set(g.events.map((e) => `${e.event} ${e.alertSeverity}`))).toEqual(
              new Set([`${g.event} ${g.alertSeverity}`]),
            );
          }
          if (groupAbove === 0 || events.length <= groupAbove) expect(groups).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
