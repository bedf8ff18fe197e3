// Incident tools through EventBridge (infra/incidents, docs/incidents.md): the events topic into a queue, a pipe to
// the bus, and PagerDuty rules. Each event snapshot travels the synthesised path offline: the pipe's template, the
// bus envelope, every rule's pattern and the chosen rule's input transformer (test/support/event-bridge.ts), and
// PagerDuty's Events API v2 checks what would arrive (test/support/pagerduty-events.ts).

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DETAIL_KEY, DETAIL_TYPE, EVENT_SOURCE } from '../../infra/incidents/bus.ts';
import { PAGERDUTY_ENDPOINT } from '../../infra/incidents/pagerduty.ts';
import type { PagerDutySettings } from '../../infra/settings/types.ts';
import { pagerDutyProblems } from '../support/pagerduty-events.ts';
import {
  type Json,
  onlyRequest,
  onTheBus,
  pagerDutyRequests,
  SNAPSHOTS,
  settingsWith,
  synthOnce,
} from './fixtures/incidents.ts';
import { nagFindings } from './fixtures/nag.ts';
import { grants, resourceText } from './fixtures/policy.ts';
import { onlyResource, synthStackOf } from './fixtures/stack.ts';

const ROUTING_KEY_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/pagerduty-AbCdEf';
const PAGERDUTY: PagerDutySettings = {
  routingKeySecretArn: ROUTING_KEY_SECRET,
  routingKeyField: 'routingKey',
  minSeverity: 'Warning',
};

const withName = (message: Json, name: string) => ({ ...message, subject: { ...message.subject, name } });

describe('without eventBus or pagerDuty', () => {
  const template = synthOnce({});

  it('adds no bus, queue subscription, pipe, connection or rule', () => {
    for (const type of [
      'AWS::Events::EventBus',
      'AWS::SNS::Subscription',
      'AWS::Pipes::Pipe',
      'AWS::Events::Connection',
      'AWS::Events::ApiDestination',
      'AWS::Events::Rule',
    ]) {
      template().resourceCountIs(type, 0);
    }
    expect(Object.keys(template().findOutputs('EventBus*'))).toEqual([]);
  });
});

describe('the events bus', () => {
  const template = synthOnce({ eventBus: {} });

  it('is <stackName>-alerts, with its name and ARN as outputs', () => {
    const [busId] = Object.keys(
      template().findResources('AWS::Events::EventBus', { Properties: { Name: 'ReplicaAlerts-alerts' } }),
    );
    template().hasOutput('EventBusName', { Value: { Ref: busId } });
    template().hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
    template().resourceCountIs('AWS::Events::Connection', 0);
  });

  it('is fed by an encrypted, TLS-only queue subscribed to the events topic with raw delivery', () => {
    const subscription = onlyResource(template(), 'AWS::SNS::Subscription');
    expect(subscription).toMatchObject({
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: { Ref: expect.stringMatching(/^Topicsevents/) },
      Endpoint: { 'Fn::GetAtt': [expect.stringMatching(/^IncidentsEventsQueue/), 'Arn'] },
    });
    const queues = template().findResources('AWS::SQS::Queue');
    const queue = queues[subscription.Endpoint['Fn::GetAtt'][0]]?.Properties;
    expect(queue).toMatchObject({ SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 5 } });
    const deadLetters = queues[queue.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]]?.Properties;
    expect(deadLetters).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template().hasOutput('EventBusDeadLetterQueueUrl', Match.anyValue());
    for (const policy of Object.values(template().findResources('AWS::SQS::QueuePolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('gets each message from a pipe, one at a time, as detail.alert with its source and detail-type', () => {
    const pipe = onlyResource(template(), 'AWS::Pipes::Pipe');
    expect(pipe).toMatchObject({
      Source: { 'Fn::GetAtt': [expect.stringMatching(/^IncidentsEventsQueue/), 'Arn'] },
      SourceParameters: { SqsQueueParameters: { BatchSize: 1 } },
      Target: { 'Fn::GetAtt': [expect.stringMatching(/^IncidentsBus/), 'Arn'] },
      TargetParameters: {
        InputTemplate: `{"${DETAIL_KEY}": <$.body>}`,
        EventBridgeEventBusParameters: { Source: EVENT_SOURCE, DetailType: DETAIL_TYPE },
      },
    });
    for (const { message, attributes } of Object.values(SNAPSHOTS)) {
      const busEvent = onTheBus(template(), message, attributes);
      expect(busEvent.detail).toEqual({ [DETAIL_KEY]: message });
    }
  });

  it('moves them with a role that may read that queue and put on that bus, and nothing else', () => {
    const pipe = onlyResource(template(), 'AWS::Pipes::Pipe');
    const role = template().findResources('AWS::IAM::Role')[pipe.RoleArn['Fn::GetAtt'][0]]?.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'pipes.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    // Each action on each resource, however the statements are ordered or merged (cdk.json's minimizePolicies).
    const allowed = grants(role.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement));
    const [queue, bus] = [resourceText(pipe.Source), resourceText(pipe.Target)];
    expect(allowed.map(({ action, resource }) => ({ action, resource }))).toEqual([
      { action: 'events:PutEvents', resource: bus },
      { action: 'sqs:DeleteMessage', resource: queue },
      { action: 'sqs:GetQueueAttributes', resource: queue },
      { action: 'sqs:ReceiveMessage', resource: queue },
    ]);
    // No other policy reaches the role.
    for (const policy of Object.values(template().findResources('AWS::IAM::Policy'))) {
      expect(policy.Properties.Roles).not.toContainEqual({ Ref: pipe.RoleArn['Fn::GetAtt'][0] });
    }
  });
});

describe('an existing bus', () => {
  const template = synthOnce({ eventBus: { busName: 'ops-events' } });

  it('is used by name, not created', () => {
    template().resourceCountIs('AWS::Events::EventBus', 0);
    const pipe = onlyResource(template(), 'AWS::Pipes::Pipe');
    expect(JSON.stringify(pipe.Target)).toContain(':event-bus/ops-events');
    template().hasOutput('EventBusName', { Value: 'ops-events' });
  });
});

describe('PagerDuty', () => {
  const template = synthOnce({ pagerDuty: PAGERDUTY });

  it('needs no eventBus setting: it creates the bus', () => {
    template().hasResourceProperties('AWS::Events::EventBus', { Name: 'ReplicaAlerts-alerts' });
  });

  it('gets the routing key into the body from the secret, once, as a dynamic reference only', () => {
    const reference = `{{resolve:secretsmanager:${ROUTING_KEY_SECRET}:SecretString:routingKey::}}`;
    const connection = onlyResource(template(), 'AWS::Events::Connection');
    expect(connection.AuthParameters.InvocationHttpParameters).toEqual({
      BodyParameters: [{ Key: 'routing_key', Value: reference, IsValueSecret: true }],
    });
    // The authorization EventBridge requires is a fixed header PagerDuty ignores, not the key a second time.
    expect(connection).toMatchObject({
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'X-Replica-Alerts', ApiKeyValue: 'pagerduty-events-v2' },
      },
    });
    // The key appears nowhere else: the one string that names the secret is that reference, in the body.
    const mentions = JSON.stringify(template().toJSON()).match(/[^"]*replica-alerts\/pagerduty[^"]*/g);
    expect(mentions).toEqual([reference]);
    expect(onlyResource(template(), 'AWS::Events::ApiDestination')).toMatchObject({
      InvocationEndpoint: PAGERDUTY_ENDPOINT,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 2,
    });
  });

  it('reads the whole secret when no JSON field is named', () => {
    const { template: plain } = synthStackOf(
      settingsWith({ pagerDuty: { ...PAGERDUTY, routingKeyField: undefined } }),
    );
    const connection = onlyResource(plain, 'AWS::Events::Connection');
    expect(connection.AuthParameters.InvocationHttpParameters.BodyParameters[0].Value).toBe(
      `{{resolve:secretsmanager:${ROUTING_KEY_SECRET}:SecretString:::}}`,
    );
  });

  it('has one rule per trigger kind and severity and one resolve, each retried, then dead-lettered', () => {
    const rules = Object.values(template().findResources('AWS::Events::Rule')).map((r) => r.Properties);
    expect(rules.map((rule) => rule.EventPattern.detail[DETAIL_KEY]).sort(byJson)).toEqual(
      [
        { event: ['failure'], alertSeverity: ['Failed'] },
        { event: ['failure'], alertSeverity: ['Warning'] },
        { event: ['reminder'], alertSeverity: ['Failed'] },
        { event: ['reminder'], alertSeverity: ['Warning'] },
        { event: ['stale'], alertSeverity: ['Warning'] },
        { event: ['source-unreachable'], alertSeverity: ['Failed'] },
        { event: ['resolved'], alertSeverity: ['Failed', 'Warning'] },
      ].sort(byJson),
    );
    const destination = Object.keys(template().findResources('AWS::Events::ApiDestination'))[0];
    const [deadLetters] = Object.keys(
      template().findResources('AWS::SQS::Queue', { Properties: { MessageRetentionPeriod: 1209600 } }),
    ).filter((id) => id.startsWith('IncidentsPagerDuty'));
    for (const rule of rules) {
      expect(rule).toMatchObject({
        EventBusName: { Ref: expect.stringMatching(/^IncidentsBus/) },
        EventPattern: { source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPE] },
      });
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [destination, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
          InputTransformer: expect.anything(),
        }),
      ]);
    }
    template().hasOutput('PagerDutyDeadLetterQueueUrl', { Value: { Ref: deadLetters } });
  });

  it('invokes the destination with a role that may do only that', () => {
    const [rule] = Object.values(template().findResources('AWS::Events::Rule'));
    const roleId = rule?.Properties.Targets[0].RoleArn['Fn::GetAtt'][0];
    const policies = Object.values(template().findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    );
    expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({
        Action: 'events:InvokeApiDestination',
        Resource: {
          'Fn::GetAtt': [Object.keys(template().findResources('AWS::Events::ApiDestination'))[0], 'Arn'],
        },
      }),
    ]);
  });

  /** What PagerDuty gets for each event kind (the table in docs/incidents.md). */
  const EXPECTED: Record<string, { action: string; severity?: string; summary?: string }> = {
    'job-failure': { action: 'trigger', severity: 'error', summary: 'Failed: SQL Replication' },
    // Hints (issue 17) are an addition to version 1: the incident is the same.
    'job-failure-hints': { action: 'trigger', severity: 'error', summary: 'Failed: Mail Replication' },
    'job-warning': { action: 'trigger', severity: 'warning', summary: 'Warning: Exchange DR' },
    'job-reminder': { action: 'trigger', severity: 'error', summary: 'Still failing: SQL Replication' },
    'job-reminder-quiet': { action: 'trigger', severity: 'error', summary: 'Still failing: SQL Replication' },
    'job-stale': { action: 'trigger', severity: 'warning', summary: 'Overdue: File Server Replica' },
    'job-resolved': { action: 'resolve' },
    'cdp-failure': { action: 'trigger', severity: 'error', summary: 'Failed: CDP Tier-1 Apps' },
    'cdp-ended': { action: 'trigger', severity: 'error', summary: 'Failed: CDP Tier-1 Apps' },
    'source-unreachable': { action: 'trigger', severity: 'error', summary: 'EM unreachable: em-prod' },
    // A storm's event names its group, and is still its own incident: one per job, keyed by the job.
    'group-failure': { action: 'trigger', severity: 'error', summary: 'Failed: Domain Controllers' },
    // What a silence or maintenance window held is an incident like any other when it is sent.
    'job-after-silence': { action: 'trigger', severity: 'error', summary: 'Failed: SQL Replication' },
    'job-resolved-after-maintenance': { action: 'resolve' },
    'job-missed-run': { action: 'trigger', severity: 'warning', summary: 'Overdue: SQL Replication' },
    // Notices and digests are no incidents: no rule fires.
    'job-schedule-disabled': { action: 'none' },
    'job-schedule-enabled': { action: 'none' },
    'job-long-run': { action: 'none' },
    'job-long-run-ended': { action: 'none' },
    'digest-morning': { action: 'none' },
    'digest-unreachable': { action: 'none' },
  };

  it('knows every event kind the product sends', () => {
    expect(Object.keys(SNAPSHOTS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))(
    '%s: exactly one rule fires (none for a notice or a digest), and PagerDuty would accept what it sends',
    (name) => {
      const { message, attributes } = SNAPSHOTS[name] ?? {};
      const requests = pagerDutyRequests(template(), onTheBus(template(), message, attributes));
      if (EXPECTED[name]?.action === 'none') return expect(requests).toEqual([]);
      expect(requests).toHaveLength(1);
      const body = requests[0];
      expect(pagerDutyProblems(body)).toEqual([]);
      const { subject } = message;
      const expected = EXPECTED[name];
      expect(body).toMatchObject({
        event_action: expected?.action,
        dedup_key: `${subject.enterpriseManager}/${subject.kind}/${subject.uid}`,
      });
      if (expected?.action === 'resolve')
        return expect(Object.keys(body).sort()).toEqual(['dedup_key', 'event_action']);
      expect(body.payload).toMatchObject({
        summary: expected?.summary,
        severity: expected?.severity,
        source: subject.enterpriseManager,
        component: subject.name,
        group: subject.kind,
        class: message.event,
        timestamp: message.detectedAt,
      });
      expect(body.payload.custom_details).toMatchObject({
        event_id: message.id,
        backup_server: subject.backupServer,
        session_result: message.session?.result ?? '',
        failing_since: message.failingSince,
        failed_runs: message.failedRuns,
        vm_counts: message.counts,
        vms: message.vms ?? '',
      });
    },
  );

  it('shows a field the event lacks as "" and one it has as null as null (docs/incidents.md, "Payload")', () => {
    const details = (name: string) =>
      onlyRequest(template(), SNAPSHOTS[name]?.message).payload.custom_details;
    expect(details('source-unreachable')).toMatchObject({
      backup_server: null,
      vm_counts: null,
      failed_runs: null,
      session: '',
      session_result: '',
      session_failure_message: '',
      vms: '',
      vms_omitted: '',
      quiet_since: '',
      stale: '',
    });
    expect(details('job-stale')).toMatchObject({ failed_runs: null, vm_counts: null, vms: '', source: '' });
    expect(details('job-failure')).toMatchObject({ session_failure_message: null, quiet_since: '' });
  });

  it('keeps one incident per subject: a trigger and its resolve share the dedup key', () => {
    const trigger = onlyRequest(template(), SNAPSHOTS['job-failure']?.message);
    const resolve = onlyRequest(template(), SNAPSHOTS['job-resolved']?.message);
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
  });

  it('keeps quotes, backslashes and line breaks in names and reasons as they were', () => {
    const message = SNAPSHOTS['job-failure']?.message;
    const name = 'SQL "Prod" \\ DR\nsite B';
    const body = onlyRequest(template(), withName(message, name));
    expect(pagerDutyProblems(body)).toEqual([]);
    expect(body.payload.summary).toBe(`Failed: ${name}`);
    expect(body.payload.component).toBe(name);
    // The reasons already hold quotes and a line break (VSS writer "SqlServerWriter" ...\nProcessing finished).
    expect(body.payload.custom_details.vms).toEqual(message.vms);
    expect(message.vms[1].reason).toMatch(/".*\n/s);
  });

  it('stays within every PagerDuty limit for the longest name an event may carry, on every trigger', () => {
    const base = SNAPSHOTS['job-failure']?.message;
    const longest = withName(base, `${'"'.repeat(980)} […cut 1 characters]`);
    expect([...longest.subject.name]).toHaveLength(1000);
    const triggers = Object.values(template().findResources('AWS::Events::Rule'))
      .map((rule) => rule.Properties.EventPattern.detail[DETAIL_KEY])
      .filter((pattern) => pattern.event[0] !== 'resolved');
    for (const pattern of triggers) {
      const message = { ...longest, event: pattern.event[0], alertSeverity: pattern.alertSeverity[0] };
      expect(pagerDutyProblems(onlyRequest(template(), message))).toEqual([]);
    }
  });
});

describe('PagerDuty from Failed only', () => {
  const template = synthOnce({ pagerDuty: { ...PAGERDUTY, minSeverity: 'Failed' } });

  it('opens and resolves only Failed alerts: warnings, stale jobs and their all-clear reach no rule', () => {
    const fired = (message: Json) => pagerDutyRequests(template(), onTheBus(template(), message));
    for (const name of ['job-warning', 'job-stale']) expect(fired(SNAPSHOTS[name]?.message)).toEqual([]);
    const resolved = SNAPSHOTS['job-resolved']?.message;
    expect(fired({ ...resolved, alertSeverity: 'Warning' })).toEqual([]);
    for (const name of ['job-failure', 'job-reminder', 'source-unreachable', 'job-resolved']) {
      expect(fired(SNAPSHOTS[name]?.message)).toHaveLength(1);
    }
    template().resourceCountIs('AWS::Events::Rule', 4);
  });
});

describe('cdk-nag', () => {
  // The same findings as without them, so none: the whole app's checks (test/infra/synth.test.ts) allow none.
  it('finds nothing more with the bus and PagerDuty on', () => {
    const withIncidents = nagFindings(settingsWith({ eventBus: {}, pagerDuty: PAGERDUTY }));
    expect(withIncidents).toEqual(nagFindings(settingsWith({})));
  }, 60_000);
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
