// The simulated clock: it alone decides which sessions the EM shows and whether they are running or finished.
// It stands still unless a test moves it, so a test sees exactly the state it set up.

import { parseEmTime } from '../em/time.ts';

export class Clock {
  private epochMs: number;

  constructor(now: string) {
    this.epochMs = toEpoch(now);
  }

  /** The simulated time as an ISO-8601 UTC string with milliseconds. */
  now(): string {
    return new Date(this.epochMs).toISOString();
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`Cannot advance the clock by ${ms} ms`);
    this.epochMs += ms;
  }

  set(iso: string): void {
    this.epochMs = toEpoch(iso);
  }
}

function toEpoch(iso: string): number {
  const parsed = parseEmTime(iso);
  if (parsed === null) throw new RangeError(`Not a UTC time: ${JSON.stringify(iso)}`);
  return Date.parse(parsed);
}
