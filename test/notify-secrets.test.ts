import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SnsNotifier } from '../functions/notify/notifier.ts';
import { parseEmSecret, SecretsManagerSource } from '../functions/secrets/secrets.ts';

const PASSWORD = 'Tr0ub4dor&3-canary';
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';

describe('SnsNotifier', () => {
  it('publishes a plain String message with String attributes to the channel topic', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), {
      sms: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-sms',
      email: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
    });
    expect(notifier.channels).toEqual(['email', 'sms']);
    await notifier.publish({
      channel: 'email',
      subject: '[FAILED] Replica job "SQL Replication" on vbr01: 2 of 5 VMs failed',
      message: 'body',
      attributes: { event: 'failure', severity: 'Failed' },
    });
    await notifier.publish({
      channel: 'sms',
      message: 'FAILED SQL Replication',
      attributes: { event: 'failure' },
    });
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-email',
        Subject: '[FAILED] Replica job "SQL Replication" on vbr01: 2 of 5 VMs failed',
        Message: 'body',
        MessageAttributes: {
          event: { DataType: 'String', StringValue: 'failure' },
          severity: { DataType: 'String', StringValue: 'Failed' },
        },
      },
      {
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:replica-alerts-sms',
        Message: 'FAILED SQL Replication',
        MessageAttributes: { event: { DataType: 'String', StringValue: 'failure' } },
      },
    ]);
    await expect(notifier.publish({ channel: 'chat', message: 'x', attributes: {} })).rejects.toThrow(
      /No SNS topic/,
    );
    sns.restore();
  });
});

describe('EM secrets', () => {
  it('reads the secret once while cached, and again when asked to refresh', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'TECH\\svc', password: PASSWORD }),
    });
    const source = new SecretsManagerSource(new SecretsManagerClient({ region: 'eu-west-1' }), 300);
    expect(await source.get(ARN)).toEqual({ username: 'TECH\\svc', password: PASSWORD });
    await source.get(ARN);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await source.get(ARN, { refresh: true });
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: ARN },
      { SecretId: ARN },
    ]);
    sm.restore();
  });

  it.each([
    ['', /is empty/],
    [`{"username":"svc","password":"${PASSWORD}"`, /is not valid JSON/],
    [`["${PASSWORD}"]`, /is not a JSON object/],
    [`{"username":"svc"}`, /has no "password" key/],
    [`{"password":"${PASSWORD}"}`, /has no "username" key/],
    [`{"username":"svc","password":42}`, /"password" that is not a string/],
    [`{"username":"svc","password":"${PASSWORD}","caCert":"${PASSWORD}"}`, /"caCert" that is not a PEM/],
  ])('rejects %j naming the secret and key, never the value', (value, message) => {
    let error: Error | undefined;
    try {
      parseEmSecret(ARN, value);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(ARN);
    expect(error?.message).not.toContain(PASSWORD);
  });

  it('accepts an optional CA certificate', () => {
    const caCert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(parseEmSecret(ARN, JSON.stringify({ username: 'u', password: 'p', caCert }))).toEqual({
      username: 'u',
      password: 'p',
      caCert,
    });
  });
});
