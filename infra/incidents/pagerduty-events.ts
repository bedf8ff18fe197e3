// The PagerDuty Events API v2 requests (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/), as
// EventBridge input transformers over the bus events. A transformer cannot branch, so each action and severity
// has its own rule (pagerDutyRules) and its own fixed text. The routing key is not here: the connection adds it.

import { EventField, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import type { AlertSeverity, EventKind } from '../../functions/alerts/event.ts';
import { DETAIL_KEY } from './bus.ts';

/**
 * The PagerDuty severity for an alert's severity. With "dynamic notifications" PagerDuty pages on `critical` and
 * `error` (high urgency, escalates) and not on `warning` (low urgency): a Failed replica leaves VMs without a
 * current copy, which must be acted on now, so `error`; `critical` is "a failure in the system's primary
 * application", which a replication job is not. Warning stays `warning`.
 * https://support.pagerduty.com/docs/dynamic-notifications
 */
const PAGERDUTY_SEVERITY: Record<AlertSeverity, string> = { Failed: 'error', Warning: 'warning' };

export interface PagerDutyRule {
  /** Construct id of the rule. */
  id: string;
  action: 'trigger' | 'resolve';
  events: EventKind[];
  alertSeverities: AlertSeverity[];
  input: RuleTargetInput;
}

/** The least severe alert that reaches PagerDuty, and every alert severity at or above it. */
const AT_OR_ABOVE: Record<AlertSeverity, AlertSeverity[]> = {
  Failed: ['Failed'],
  Warning: ['Failed', 'Warning'],
};

/**
 * What opens or updates an incident, with the words before the subject's name in its summary. PagerDuty refuses
 * a summary over 1,024 characters and a name may have 1,000 (docs/events.md, "Sizes"): a label and its ": "
 * take at most 24. Only the combinations the engine sends (stale is always Warning, an unreachable EM Failed).
 */
const TRIGGERS: { event: EventKind; alertSeverity: AlertSeverity; label: string }[] = [
  { event: 'failure', alertSeverity: 'Failed', label: 'Failed' },
  { event: 'failure', alertSeverity: 'Warning', label: 'Warning' },
  { event: 'reminder', alertSeverity: 'Failed', label: 'Still failing' },
  { event: 'reminder', alertSeverity: 'Warning', label: 'Still warning' },
  { event: 'stale', alertSeverity: 'Warning', label: 'Overdue' },
  { event: 'source-unreachable', alertSeverity: 'Failed', label: 'EM unreachable' },
];

/** The rules for this minimum severity: a trigger for each kind of alert at or above it, and their resolve. */
export function pagerDutyRules(minSeverity: AlertSeverity): PagerDutyRule[] {
  const severities = AT_OR_ABOVE[minSeverity];
  const triggers = TRIGGERS.filter((t) => severities.includes(t.alertSeverity)).map(
    ({ event, alertSeverity, label }): PagerDutyRule => ({
      id: `Trigger-${event}-${alertSeverity}`,
      action: 'trigger',
      events: [event],
      alertSeverities: [alertSeverity],
      input: triggerInput(alertSeverity, label),
    }),
  );
  const resolve: PagerDutyRule = {
    id: 'Resolve',
    action: 'resolve',
    events: ['resolved'],
    alertSeverities: severities,
    input: RuleTargetInput.fromObject({ event_action: 'resolve', dedup_key: dedupKey() }),
  };
  return [...triggers, resolve];
}

/** A field of the replica-alerts event in the bus event. */
const field = (path: string): string => EventField.fromPath(`$.detail.${DETAIL_KEY}.${path}`);

/**
 * One incident per subject, opened by its first trigger and closed by its `resolved`: the engine keeps at most one
 * alert open per subject. The EM name (1-64 letters, digits, `.`, `-`, `_`: functions/rules.ts), kind and UID
 * (`urn:veeam:…` or the EM name) hold no quote and stay far under PagerDuty's 255 characters.
 */
const dedupKey = (): string =>
  `${field('subject.enterpriseManager')}/${field('subject.kind')}/${field('subject.uid')}`;

/**
 * A trigger. Text from the EM (names, reasons, messages) is placed as a whole JSON value, where EventBridge
 * inserts it as JSON; only the summary embeds the name in a longer string (see docs/incidents.md on escaping).
 * A field the event lacks (`vms` on `stale`, `session.result` when `session` is null) becomes ""; one it has as
 * null (`subject.backupServer` of an EM, `failedRuns` on `stale`) stays null (docs/incidents.md, "Payload").
 */
function triggerInput(alertSeverity: AlertSeverity, label: string): RuleTargetInput {
  return RuleTargetInput.fromObject({
    event_action: 'trigger',
    dedup_key: dedupKey(),
    client: 'replica-alerts',
    payload: {
      summary: `${label}: ${field('subject.name')}`,
      // Never null (backupServer is): the EM the subject was seen through.
      source: field('subject.enterpriseManager'),
      severity: PAGERDUTY_SEVERITY[alertSeverity],
      timestamp: field('detectedAt'),
      component: field('subject.name'),
      group: field('subject.kind'),
      class: field('event'),
      custom_details: {
        event_id: field('id'),
        subject_uid: field('subject.uid'),
        backup_server: field('subject.backupServer'),
        session: field('session.name'),
        session_result: field('session.result'),
        session_failure_message: field('session.failureMessage'),
        failing_since: field('failingSince'),
        failed_runs: field('failedRuns'),
        vm_counts: field('counts'),
        vms: field('vms'),
        vms_omitted: field('vmsOmitted'),
        quiet_since: field('quietSince'),
        stale: field('stale'),
        source: field('source'),
      },
    },
  });
}
