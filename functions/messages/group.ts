// Storms: when one EM has more than `groupAbove` alerts to send at once, the people channels (e-mail, SMS, chat)
// get one message per kind of event and alert severity instead of one per job. Grouping decides only how messages
// are put together: every event keeps its id, its state and its own delivery marks, and the events channel still
// sends each event alone, naming its group.

import { type AlertEvent, type AlertSeverity, type EventKind, eventId } from '../alerts/event.ts';
import { attributeText, GROUP_ATTRIBUTE_BYTES } from './limits.ts';
import { utf8Bytes } from './text.ts';

/** Alerts of one EM, one kind and one alert severity, sent as one message on each people channel. */
export interface AlertGroup {
  /** 32 hex digits of SHA-256 over the EM and the members' ids: the same members always make the same id. */
  id: string;
  enterpriseManager: string;
  event: EventKind;
  alertSeverity: AlertSeverity;
  /** Two or more, failed runs first (then warnings), then by name: the order the messages list them in. */
  events: AlertEvent[];
}

/** What one poll sends for one EM: events sent alone, and groups. Together they hold each event exactly once. */
export interface Grouping {
  singles: AlertEvent[];
  groups: AlertGroup[];
}

/**
 * Groups when more than `groupAbove` events are to be sent (0: never). A kind and severity with a single event
 * stays single; a group whose job names would not fit one message's attributes is split (see GROUP_ATTRIBUTE_BYTES).
 * The EM's own events (unreachable, reachable again) always go alone: they are about the source, not its jobs.
 */
export function groupAlerts(events: readonly AlertEvent[], groupAbove: number): Grouping {
  if (groupAbove <= 0 || events.length <= groupAbove) return { singles: [...events], groups: [] };
  const singles: AlertEvent[] = [];
  const byKey = new Map<string, AlertEvent[]>();
  for (const event of events) {
    if (event.subject.kind === 'enterprise-manager') {
      singles.push(event);
      continue;
    }
    const key = `${event.event} ${event.alertSeverity}`;
    const members = byKey.get(key);
    if (members) members.push(event);
    else byKey.set(key, [event]);
  }
  const groups: AlertGroup[] = [];
  for (const members of byKey.values()) {
    for (const chunk of chunks([...members].sort(listOrder))) {
      if (chunk.length < 2) singles.push(...chunk);
      else groups.push(groupOf(chunk));
    }
  }
  return { singles, groups };
}

function groupOf(events: AlertEvent[]): AlertGroup {
  const first = events[0] as AlertEvent; // chunks are never empty
  const em = first.subject.enterpriseManager;
  return {
    id: eventId([em, ...events.map((e) => e.id).sort()]),
    enterpriseManager: em,
    event: first.event,
    alertSeverity: first.alertSeverity,
    events,
  };
}

const RANK: Record<string, number> = { Failed: 0, Warning: 1, Success: 2 };

function listOrder(a: AlertEvent, b: AlertEvent): number {
  return (
    (RANK[a.severity] ?? 3) - (RANK[b.severity] ?? 3) ||
    a.subject.name.localeCompare(b.subject.name) ||
    a.id.localeCompare(b.id)
  );
}

/** Consecutive runs of members whose distinct job and server names fit one message's attributes. */
function chunks(members: AlertEvent[]): AlertEvent[][] {
  const out: AlertEvent[][] = [];
  let current: AlertEvent[] = [];
  let seen = noNames();
  let bytes = 0;
  for (const event of members) {
    if (current.length && bytes + newBytes(event, seen) > GROUP_ATTRIBUTE_BYTES) {
      out.push(current);
      current = [];
      seen = noNames();
      bytes = 0;
    }
    bytes += newBytes(event, seen);
    for (const [attribute, name] of namesOf(event)) seen[attribute].add(name);
    current.push(event);
  }
  if (current.length) out.push(current);
  return out;
}

/** The names already in a chunk's attributes, per attribute: a job named like a server is in both arrays. */
type Names = Record<'job' | 'backupServer', Set<string>>;
const noNames = (): Names => ({ job: new Set(), backupServer: new Set() });

/** The names a member adds to its group's `job` and `backupServer` attributes, as the attributes cut them. */
function namesOf(event: AlertEvent): [keyof Names, string][] {
  const names: [keyof Names, string][] = [
    ['job', attributeText(event.subject.name)],
    ['backupServer', attributeText(event.subject.backupServer ?? '')],
  ];
  return names.filter(([, name]) => name);
}

/** JSON bytes the member's names not yet `seen` add to the attributes (a quoted string and a comma each). */
const newBytes = (event: AlertEvent, seen: Names): number =>
  namesOf(event)
    .filter(([attribute, name]) => !seen[attribute].has(name))
    .reduce((sum, [, name]) => sum + utf8Bytes(JSON.stringify(name)) + 1, 0);
