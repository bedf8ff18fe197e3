// SNS String message attributes, the same on every channel, so any subscription can filter.

import type { AlertEvent } from '../alerts/event.ts';
import { ATTRIBUTE_MAX_CHARS } from './limits.ts';
import { line } from './text.ts';

export function attributesOf(event: AlertEvent): Record<string, string> {
  const attributes: Record<string, string> = {};
  const set = (name: string, value: string | null | undefined) => {
    // SNS refuses empty String values: an unknown value is left out rather than sent empty.
    const v = value ? line(value, ATTRIBUTE_MAX_CHARS) : '';
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
