// EM credentials from AWS Secrets Manager: one secret per EM holding JSON `{"username", "password", "caCert"?}`.
// Read through Powertools' SecretsProvider, which caches across warm invocations (`maxAge`); `refresh` re-reads
// after the EM rejected the credentials (the secret was rotated). No error ever contains the secret's value.

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Credentials } from '../em/config.ts';

export interface EmSecret extends Credentials {
  /** PEM bundle of the CA that issued the EM's certificate (self-signed EMs: the certificate itself). */
  caCert?: string;
}

/** Where EM credentials come from: Secrets Manager in the Lambda, the environment in the CLI, a stub in tests. */
export interface SecretSource {
  get(secretId: string, options?: { refresh?: boolean }): Promise<EmSecret>;
}

/** The exact shape an admin stores in the secret, for docs and error messages. */
export const SECRET_SHAPE =
  '{"username": "DOMAIN\\\\user", "password": "...", "caCert": "-----BEGIN CERTIFICATE-----..."}';

export class SecretError extends Error {
  constructor(
    secretId: string,
    problem: string,
    todo = `It must hold JSON like ${SECRET_SHAPE} (caCert is optional).`,
  ) {
    super(`Secret "${secretId}" ${problem}. ${todo}`);
    this.name = 'SecretError';
  }
}

const TRANSIENT = 'A transient Secrets Manager error: the next poll reads it again.';

/** What to do about each error GetSecretValue names; any other is most likely the network. */
const ADVICE = new Map([
  [
    'ResourceNotFoundException',
    `It has no value yet (or no such secret): put JSON like ${SECRET_SHAPE} into it.`,
  ],
  [
    'AccessDeniedException',
    "The poller's role, or the policy of the KMS key that encrypts the secret, does not allow reading it.",
  ],
  [
    'DecryptionFailure',
    "The KMS key that encrypts it did not decrypt it for the poller: the key's policy must let the poller's " +
      'role decrypt (kms:Decrypt).',
  ],
  [
    'InvalidRequestException',
    'It is scheduled for deletion: restore it (aws secretsmanager restore-secret).',
  ],
  ['ThrottlingException', TRANSIENT],
  ['InternalServiceError', TRANSIENT],
]);

/** What to do about a Secrets Manager error, by its name; the SDK's own message never holds the value. */
function unreadable(secretId: string, error: unknown): SecretError {
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause; // Powertools wraps the SDK's
  const name = cause instanceof Error ? cause.name : 'Error';
  const message = cause instanceof Error ? cause.message : String(cause);
  const todo =
    ADVICE.get(name) ??
    'Check that Secrets Manager is reachable from the poller (a VPC needs a NAT or an endpoint).';
  return new SecretError(secretId, `could not be read (${name}: ${message})`, todo);
}

/** Validates a secret string; errors name the secret and the key, never the value. */
export function parseEmSecret(secretId: string, value: unknown): EmSecret {
  if (typeof value !== 'string' || !value.trim())
    throw new SecretError(secretId, 'is empty or not a string secret');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SecretError(secretId, 'is not valid JSON'); // JSON.parse's message would quote the value
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretError(secretId, 'is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  const text = (key: string, required: boolean): string | undefined => {
    const field = record[key];
    if (field === undefined || field === null || field === '') {
      if (required) throw new SecretError(secretId, `has no "${key}" key`);
      return undefined;
    }
    if (typeof field !== 'string') throw new SecretError(secretId, `has a "${key}" that is not a string`);
    return field;
  };
  const username = text('username', true) ?? '';
  const password = text('password', true) ?? '';
  const caCert = text('caCert', false);
  if (caCert !== undefined && !caCert.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SecretError(secretId, 'has a "caCert" that is not a PEM certificate');
  }
  return caCert === undefined ? { username, password } : { username, password, caCert };
}

export class SecretsManagerSource implements SecretSource {
  private readonly provider: SecretsProvider;

  constructor(
    client?: SecretsManagerClient,
    private readonly maxAgeSeconds = 300,
  ) {
    this.provider = new SecretsProvider(client ? { awsSdkV3Client: client } : {});
  }

  async get(secretId: string, options: { refresh?: boolean } = {}): Promise<EmSecret> {
    let value: unknown;
    try {
      value = await this.provider.get(secretId, {
        maxAge: this.maxAgeSeconds,
        forceFetch: options.refresh ?? false,
      });
    } catch (error) {
      throw unreadable(secretId, error); // an EM failure like any other: it counts towards the unreachable alert
    }
    return parseEmSecret(secretId, value);
  }
}
