import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { parseEmSecret, SecretsManagerSource } from '../../functions/secrets/secrets.ts';
import { CANARY, findCanary } from '../support/canary.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:replica-alerts/em-prod-AbCdEf';

describe('EM secrets', () => {
  it('reads the secret once while cached, and again when asked to refresh', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'TECH\\svc', password: CANARY }),
    });
    const source = new SecretsManagerSource(new SecretsManagerClient({ region: 'eu-west-1' }), 300);
    expect(await source.get(ARN)).toEqual({ username: 'TECH\\svc', password: CANARY });
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
    ['ResourceNotFoundException', /has no value yet .*put JSON like \{"username"/],
    ['AccessDeniedException', /poller's role, or the policy of the KMS key .* does not allow reading it/],
    ['DecryptionFailure', /KMS key .*policy must let the poller's role decrypt \(kms:Decrypt\)/],
    ['InvalidRequestException', /scheduled for deletion: restore it/],
    ['ThrottlingException', /transient .*the next poll reads it again/],
    ['InternalServiceError', /transient .*the next poll reads it again/],
    ['TimeoutError', /reachable from the poller \(a VPC needs a NAT or an endpoint\)/],
  ])('says what to do when reading fails with %s', async (name, advice) => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('Secrets Manager said no.'), { name }));
    const source = new SecretsManagerSource(new SecretsManagerClient({ region: 'eu-west-1' }));
    const error = await source.get(ARN).catch((e: Error) => e);
    sm.restore();
    expect(error).toMatchObject({ name: 'SecretError' });
    expect((error as Error).message).toMatch(
      new RegExp(`^Secret "${ARN}" could not be read \\(${name}: Secrets Manager said no\\.\\)\\. `),
    );
    expect((error as Error).message).toMatch(advice);
  });

  // Titled by the error, not the value: a test name is output too, and the value holds the canary.
  it.each([
    [/is empty/, ''],
    [/is not valid JSON/, `{"username":"svc","password":"${CANARY}"`],
    [/is not a JSON object/, `["${CANARY}"]`],
    [/has no "password" key/, `{"username":"svc"}`],
    [/has no "username" key/, `{"password":"${CANARY}"}`],
    [/"password" that is not a string/, `{"username":"svc","password":42}`],
    [/"caCert" that is not a PEM/, `{"username":"svc","password":"${CANARY}","caCert":"${CANARY}"}`],
  ])('rejects a secret that %s, naming the secret and key, never the value', (message, value) => {
    let error: Error | undefined;
    try {
      parseEmSecret(ARN, value);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(ARN);
    expect(findCanary(String(error?.message))).toEqual([]);
  });

  it('accepts an optional CA certificate', () => {
    const caCert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(parseEmSecret(ARN, JSON.stringify({ username: 'u', password: CANARY, caCert }))).toEqual({
      username: 'u',
      password: CANARY,
      caCert,
    });
  });
});
