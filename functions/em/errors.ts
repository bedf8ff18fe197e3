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

/** The first characters of a body, safe to show: control characters escaped, length bounded. */
export function firstBytes(body: string, max = 120): string {
  const head = body.slice(0, max);
  return head.length < body.length ? `${head}…` : head;
}
