// EM URLs holding a user name and password, as people paste them: no error ever shows the password, in the
// CLI (test/cli/cli.test.ts runs the commands) or in the Lambda's configuration errors.
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../functions/em/config.ts';
import { ConfigError, readLambdaConfig } from '../../functions/poller/env.ts';
import { CANARY, findCanary } from '../support/canary.ts';

describe('redactUrl', () => {
  it.each([
    ['https://svc:pw@em:9398/api/', 'https://***@em:9398/api/'],
    ['https://svc@em:9398/', 'https://***@em:9398/'],
    ['https://svc:p/w@d@em:9398/', 'https://***@em:9398/'], // unencoded `/` and `@` in the password
    ['svc:pw@em:9398', '***@em:9398'], // no scheme
    ['https://em.example.com:9398/api/', 'https://em.example.com:9398/api/'],
  ])('%s gives %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});

describe('the Lambda configuration', () => {
  it.each([
    ['with a valid URL', `https://svc:${CANARY}@em:9398/`, /url: .*user name or password/],
    [
      'it cannot parse',
      `https://svc:${CANARY}@em:99999/`,
      /url: .*"https:\/\/\*\*\*@em:99999\/" is not a valid URL/,
    ],
  ])('names a URL holding a password %s without the password', (_what, url, message) => {
    const env = {
      TABLE_NAME: 'state',
      TOPIC_EMAIL_ARN: 'arn:aws:sns:eu-west-1:123456789012:ra-email',
      ENTERPRISE_MANAGERS: JSON.stringify([
        { name: 'em-prod', url, secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:em' },
      ]),
    };
    const error = (() => {
      try {
        readLambdaConfig(env);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
    expect(findCanary((error as ConfigError).message)).toEqual([]);
  });
});
