// SNS message attributes, the same on every channel, so any subscription can filter: String values for one event
// (and a morning digest), and for a grouped message String.Array values wherever its members differ (SNS matches an array when any of its
// values matches, so a filter that would take any member's own message takes the group's).

import type { AlertEvent } from '../alerts/event.ts';
import type { Digest } from './digest.ts';
import type { AlertGroup } from './group.ts';
import { attributeText } from './limits.ts';
import type { AttributeValue } from './types.ts';

export function attributesOf(event: AlertEvent): Record<string, string> {
  const { subject } = event;
  const job = subject.kind !== 'enterprise-manager';
  return strings({
    event: event.event,
    severity: event.severity,
    alertSeverity: event.alertSeverity,
    subjectKind: subject.kind,
    enterpriseManager: subject.enterpriseManager,
    job: job ? subject.name : null,
    backupServer: job ? subject.backupServer : null,
  });
}

/**
 * A digest's: `event` "digest" and its EM, nothing else, as it is about no one job, severity or kind. A filter on
 * any other attribute therefore drops digests (SNS matches only messages that carry every attribute it names).
 */
export const digestAttributesOf = (digest: Digest): Record<string, string> =>
  strings({ event: 'digest', enterpriseManager: digest.enterpriseManager });

/** String attributes on one line, cut; SNS refuses empty String values, so an unknown value is left out. */
function strings(values: Record<string, string | null | undefined>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const v = value ? attributeText(value) : '';
    if (v) attributes[name] = v;
  }
  return attributes;
}

/** Arrays in a group's attributes whatever it holds, so a subscriber reads one type for each. */
const LISTED = new Set(['subjectKind', 'job', 'backupServer']);

/**
 * A group's attributes: its members' values, a String where they all agree (`event`, `alertSeverity` and
 * `enterpriseManager` by construction, `severity` nearly always: a failure's run may end Warning under a Failed
 * alert), otherwise an array of the distinct values; `subjectKind`, `job` and `backupServer` are always arrays.
 */
export function groupAttributesOf(group: AlertGroup): Record<string, AttributeValue> {
  const singles = group.events.map(attributesOf);
  const attributes: Record<string, AttributeValue> = {};
  for (const name of new Set(singles.flatMap(Object.keys))) {
    const values = [...new Set(singles.flatMap((a) => a[name] ?? []))];
    attributes[name] = values.length === 1 && !LISTED.has(name) ? (values[0] as string) : values;
  }
  return attributes;
}
