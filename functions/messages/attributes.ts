// SNS message attributes, the same on every channel, so any subscription can filter: String values for one event,
// and for a grouped message String.Array values wherever its members differ (SNS matches an array when any of its
// values matches, so a filter that would take any member's own message takes the group's).

import type { AlertEvent } from '../alerts/event.ts';
import type { AlertGroup } from './group.ts';
import { attributeText } from './limits.ts';
import type { AttributeValue } from './types.ts';

export function attributesOf(event: AlertEvent): Record<string, string> {
  const attributes: Record<string, string> = {};
  const set = (name: string, value: string | null | undefined) => {
    // SNS refuses empty String values: an unknown value is left out rather than sent empty.
    const v = value ? attributeText(value) : '';
    if (v) attributes[name] = v;
  };
  set('event', event.event);
  set('severity', event.severity);
  set('alertSeverity', event.alertSeverity);
  set('subjectKind', event.subject.kind);
  set('enterpriseManager', event.subject.enterpriseManager);
  if (event.subject.kind !== 'enterprise-manager') {
    set('job', event.subject.name);
    set('backupServer', event.subject.backupServer);
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
