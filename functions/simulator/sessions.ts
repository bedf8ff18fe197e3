// Logon sessions: Basic-auth logon gives an opaque token (base64 of random bytes, like the real one) and a
// session GUID for logoff. A token idle for longer than `idleMs` (real time) is dead, as on the EM. Idle time is
// measured on the monotonic clock: tests that fake or set `Date` (to the scenario's day) must not expire tokens,
// nor hide a leaked session from `open()`.

import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface User {
  username: string;
  password: string;
  /**
   * `portal-user` may use every endpoint simulated but the schedule queries and the CDP policy entity, which need
   * `portal-administrator` (403 otherwise, as Veeam's "Security Roles" page lists); `no-access` is refused with 403
   * at logon.
   */
  role: 'portal-administrator' | 'portal-user' | 'no-access';
}

export interface LogonSession {
  readonly id: string;
  readonly token: string;
  readonly user: User;
  /** performance.now() at the last use. */
  lastUsed: number;
}

export class LogonSessions {
  private readonly byToken = new Map<string, LogonSession>();

  constructor(
    private readonly users: readonly User[],
    private readonly idleMs: number,
  ) {}

  /** The user an `Authorization: Basic ...` header names with the right password, if any. */
  authenticate(authorization: string | undefined): User | undefined {
    const encoded = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!encoded) return undefined;
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon).toLowerCase(); // Windows account names ignore case
    const password = decoded.slice(colon + 1);
    return this.users.find((u) => u.username.toLowerCase() === username && u.password === password);
  }

  logon(user: User): LogonSession {
    const session = {
      id: randomUUID(),
      token: randomBytes(24).toString('base64'),
      user,
      lastUsed: performance.now(),
    };
    this.byToken.set(session.token, session);
    return session;
  }

  /** The live session for a token, its idle timer restarted; undefined when unknown, logged off or expired. */
  use(token: string | undefined): LogonSession | undefined {
    const session = token === undefined ? undefined : this.byToken.get(token);
    if (!session) return undefined;
    if (performance.now() - session.lastUsed > this.idleMs) {
      this.byToken.delete(session.token);
      return undefined;
    }
    session.lastUsed = performance.now();
    return session;
  }

  /** Ends the session with this GUID; false when there is none. */
  logoff(id: string): boolean {
    const session = [...this.byToken.values()].find((s) => s.id.toLowerCase() === id.toLowerCase());
    return session ? this.byToken.delete(session.token) : false;
  }

  /** Kills a token as if it had idled out (fault injection). */
  expire(token: string): void {
    this.byToken.delete(token);
  }

  /** Sessions neither logged off nor expired: a client that leaks sessions leaves this above zero. */
  open(): number {
    const now = performance.now();
    return [...this.byToken.values()].filter((s) => now - s.lastUsed <= this.idleMs).length;
  }
}
