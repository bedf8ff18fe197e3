// The scrubbing of credentials out of logon errors, on the error shapes that reach it: our own errors, a parse
// error keeping the body, and platform errors whose message cannot be assigned (AbortSignal.timeout's
// DOMException), which must neither throw from the error path nor keep a secret.
import { expect, it } from 'vitest';
import { EmError, EmParseError, withoutSecrets } from '../../functions/em/errors.ts';
import { BASIC, PASSWORD } from './support.ts';

const em = (cause: unknown) => new EmError('em-error', `said ${PASSWORD}`, '', { em: 'em-x', cause });
const everything = (e: unknown): string => {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++)
    parts.push(c.message, String(c.stack), JSON.stringify(c));
  return parts.join('\n');
};

it('scrubs the message, the stack and the body of every cause', () => {
  const parse = new EmParseError('a logon session', 'the XML is odd', `<p>${BASIC}</p>`);
  const error = withoutSecrets(em(parse), [PASSWORD, BASIC]);
  expect(everything(error)).not.toMatch(new RegExp(`${PASSWORD}|${BASIC}`));
  expect(error.message).toContain('[redacted]');
});

it('scrubs a cause whose message is a getter, and drops one it cannot change', () => {
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  expect(withoutSecrets(em(timeout), [PASSWORD]).cause).toBe(timeout);

  const echo = new DOMException(`echo ${PASSWORD}`, 'NetworkError'); // `message` is a getter on the prototype
  expect(everything(withoutSecrets(em(echo), [PASSWORD]))).not.toContain(PASSWORD);

  const frozen = Object.freeze(new Error(`echo ${PASSWORD}`));
  const error = withoutSecrets(em(frozen), [PASSWORD]);
  expect(error.cause).toBeUndefined();
  expect(everything(error)).not.toContain(PASSWORD);
});
