// The scrubbing of credentials out of logon errors, on the error shapes that reach it: our own errors, a parse
// error keeping the body, and platform errors whose message cannot be assigned (AbortSignal.timeout's
// DOMException), which must neither throw from the error path nor keep a secret.
import { expect, it } from 'vitest';
import { EmError, EmParseError, withoutSecrets } from '../../functions/em/errors.ts';
import { CANARY, findCanary } from '../support/canary.ts';
import { BASIC } from './support.ts';

const em = (cause: unknown) => new EmError('em-error', `said ${CANARY}`, '', { em: 'em-x', cause });
const everything = (e: unknown): string => {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++)
    parts.push(c.message, String(c.stack), JSON.stringify(c));
  return parts.join('\n');
};

it('scrubs the message, the stack and the body of every cause', () => {
  const parse = new EmParseError('a logon session', 'the XML is odd', `<p>${BASIC}</p>`);
  const error = withoutSecrets(em(parse), [CANARY, BASIC]);
  expect(findCanary(everything(error))).toEqual([]);
  expect(error.message).toContain('[redacted]');
});

it('scrubs a cause whose message is a getter, and drops one it cannot change', () => {
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  expect(withoutSecrets(em(timeout), [CANARY]).cause).toBe(timeout);

  const echo = new DOMException(`echo ${CANARY}`, 'NetworkError'); // `message` is a getter on the prototype
  expect(findCanary(everything(withoutSecrets(em(echo), [CANARY])))).toEqual([]);

  const frozen = Object.freeze(new Error(`echo ${CANARY}`));
  const error = withoutSecrets(em(frozen), [CANARY]);
  expect(error.cause).toBeUndefined();
  expect(findCanary(everything(error))).toEqual([]);
});
