// The morning digest's schedule: daily at the configured local time in the alerting time zone (daylight saving
// followed by EventBridge Scheduler), one for every EM, invoking the poller with {"digest": true}; none when off.

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  fixtureSettings,
  minimalSettings,
  schedulesOf,
  synthTemplate,
  typedSettings,
} from './fixtures/stack.ts';

describe('the digest schedule', () => {
  it('is daily at 07:00 in alerting.timeZone by default, invoking the poller with {"digest": true}', () => {
    const template = synthTemplate(fixtureSettings()); // alerting.timeZone: Europe/Berlin
    expect(schedulesOf(template, 'cron')).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerFunction'), 'Arn'] },
        Input: JSON.stringify({ digest: true }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerDeadLetters'), 'Arn'] } },
      },
    });
  });

  it('takes the configured time, in UTC when alerting gives no time zone', () => {
    const template = synthTemplate({ ...minimalSettings(), digest: { at: '06:30' } });
    const [schedule] = schedulesOf(template, 'cron');
    expect(schedule?.Properties).toMatchObject({
      ScheduleExpression: 'cron(30 6 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('is one for every EM, also when each EM is polled by a schedule of its own', () => {
    const template = synthTemplate({
      enterpriseManagers: ['em-1', 'em-2', 'em-3'].map((name) => ({
        name,
        url: `https://${name}.example.com/api/`,
      })),
      schedule: { maxEmsPerInvocation: 2 },
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 4);
    expect(schedulesOf(template, 'cron').map((s) => s.Properties.Target.Input)).toEqual(['{"digest":true}']);
  });

  it('is not there with "digest": false', () => {
    const template = synthTemplate({ ...minimalSettings(), digest: false });
    expect(schedulesOf(template, 'cron')).toEqual([]);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  it('lets an SMS number take the digest beside its Failed alerts: an `$or` filter (docs/alerts.md)', () => {
    const filterPolicy = { $or: [{ alertSeverity: ['Failed'] }, { event: ['digest'] }] };
    const template = synthTemplate({
      ...minimalSettings(),
      subscriptions: { sms: [{ endpoint: '+15555550123', filterPolicy }] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', FilterPolicy: filterPolicy });
  });

  it.each([
    [{ at: '7am' }, /digest\.at: give the local time as HH:MM \(24 h\), e\.g\. "07:00"/],
    [
      true,
      /digest: give \{"at": "HH:MM"\}, the local time of the daily digest \(default "07:00"\), or false/,
    ],
    [{ at: '07:00', days: ['Mon'] }, /digest\.days: unknown setting; known settings are at\./],
  ])('refuses "digest": %j at synth, saying what to give', (digest, message) => {
    expect(() => typedSettings({ ...minimalSettings(), digest })).toThrow(message);
  });
});
