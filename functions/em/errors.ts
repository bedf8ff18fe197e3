// Typed, actionable errors for everything that can go wrong talking to an Enterprise Manager. Each message names
// the EM and says what to do; none ever contains a credential (callers pass no secret in).

export type EmErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'credentials'
  | 'forbidden'
  | 'api-not-available'
  | 'em-error'
  | 'unparseable'
  | 'too-large'
  | 'config';

export interface EmErrorDetails {
  /** The EM's configured name, for the message and for alerts about the source. */
  em: string;
  status?: number;
  /** A transient fault is worth retrying (connection reset or refused, timeout, 502/503/504). */
  transient?: boolean;
  cause?: unknown;
}

export class EmError extends Error {
  readonly kind: EmErrorKind;
  readonly em: string;
  readonly status: number | undefined;
  readonly transient: boolean;

  constructor(kind: EmErrorKind, what: string, todo: string, details: EmErrorDetails) {
    super(`Enterprise Manager "${details.em}": ${what}${todo ? ` ${todo}` : ''}`, { cause: details.cause });
    this.name = 'EmError';
    this.kind = kind;
    this.em = details.em;
    this.status = details.status;
    this.transient = details.transient ?? false;
  }
}

/** Thrown by the parsers; the client wraps it into an `EmError` of kind `unparseable` naming the EM. */
export class EmParseError extends Error {
  constructor(
    readonly expected: string,
    readonly problem: string,
    readonly body: string,
  ) {
    super(`expected ${expected} but ${problem}; the answer began with ${JSON.stringify(firstBytes(body))}`);
    this.name = 'EmParseError';
  }
}

/** The first characters of a body, length bounded (the caller quotes them with JSON.stringify, escaping controls). */
export function firstBytes(body: string, max = 120): string {
  const head = body.slice(0, max);
  return head.length < body.length ? `${head}…` : head;
}

/**
 * Replaces each secret in `text` with `[redacted]`, also where JSON, XML/HTML or URL escaping changed some of its
 * characters (an error page may quote the request in any of these forms, or a mix of them).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return secrets
    .filter(Boolean)
    .reduce((clean, secret) => clean.replace(secretPattern(secret), '[redacted]'), text);
}

const NAMED: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Each character of `secret` as itself or any of its escaped forms. */
function secretPattern(secret: string): RegExp {
  const literal = (form: string) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const char = (c: string) => {
    const code = c.codePointAt(0) ?? 0;
    const forms = [
      c,
      JSON.stringify(c).slice(1, -1),
      encodeURIComponent(c),
      encodeURIComponent(c).toLowerCase(),
      `&#${code};`,
      `&#x${code.toString(16)};`,
      `&#x${code.toString(16).toUpperCase()};`,
    ];
    return `(?:${[...new Set([...forms, NAMED[c] ?? c])].map(literal).join('|')})`;
  };
  return new RegExp([...secret].map(char).join(''), 'g');
}

/**
 * Removes `secrets` from an error's message and stack, and from its causes (a parse error keeps the body): an EM
 * or a proxy in front of it may echo the logon request, Authorization header included, in its error page, and
 * the message goes to logs and, as the cause of an unreachable alert, to every channel.
 */
export function withoutSecrets<E extends Error>(error: E, secrets: readonly string[]): E {
  const scrub = (text: string) => scrubSecrets(text, secrets);
  /** Rewrites one text property; false when it holds a secret and cannot be rewritten (a getter, frozen). */
  const clean = (target: Error, key: 'message' | 'stack' | 'body'): boolean => {
    const text = (target as unknown as Record<string, unknown>)[key];
    if (typeof text !== 'string' || scrub(text) === text) return true;
    try {
      // Not an assignment: a cause such as a DOMException (AbortSignal.timeout's) has `message` as a getter only,
      // and assigning to it would throw from inside the error path. Found by test/hostile/transport.test.ts.
      Object.defineProperty(target, key, { value: scrub(text), writable: true, configurable: true });
      return true;
    } catch {
      return false;
    }
  };
  let parent: Error | undefined;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (![clean(e, 'message'), clean(e, 'stack'), clean(e, 'body')].every(Boolean)) {
      if (parent) parent.cause = undefined; // a cause that keeps a secret is dropped rather than passed on
      break;
    }
    parent = e;
  }
  return error;
}
