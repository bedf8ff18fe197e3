// A poll's second read, in the same logon session after the sessions: the EM's schedules (em/schedules.ts), one
// query per type on every poll, as a missed run is told by a `NextRun` that must be fresh (a page per hundred or so
// jobs). A query the EM refuses (HTTP 403 without the role Portal Administrator, or an older EM) is logged once and
// asked again a day later; meanwhile the rules fall back to the median gap. Any other failure costs this poll only.

import type { PollInput } from '../alerts/index.ts';
import { DAY } from '../duration.ts';
import type { EmSession } from '../em/client.ts';
import type { ScheduleType } from '../em/model.ts';
import { describeSchedules, readSchedules } from '../em/schedules.ts';

/** How long a refused schedule query is not asked again. */
export const ASK_REFUSED_AGAIN_MS = DAY;

/** Per schedule query the EM refused: when (our clock). */
export type Refused = Partial<Record<ScheduleType, string>>;

const KIND = { Job: 'replica-job', CdpPolicy: 'cdp-policy' } as const;

export interface ScheduleRequest {
  now: Date;
  cdp: boolean;
  /** The refusals the last read remembered. */
  refused: Refused;
  warn(message: string): void;
}

export async function readScheduleTypes(
  em: EmSession,
  { now, cdp, refused, warn }: ScheduleRequest,
): Promise<{ schedules: NonNullable<PollInput['schedules']>; refused: Refused }> {
  const schedules: NonNullable<PollInput['schedules']> = {};
  const stillRefused: Refused = {};
  for (const type of cdp ? (['Job', 'CdpPolicy'] as const) : (['Job'] as const)) {
    const at = refused[type];
    if (at && now.getTime() - Date.parse(at) < ASK_REFUSED_AGAIN_MS) {
      stillRefused[type] = at;
      continue;
    }
    const read = await readSchedules(em, type);
    if (read.available) {
      schedules[KIND[type]] = read.schedules;
      if (read.problemCount) warn(`Schedules read with problems: ${describeSchedules(read)}.`);
      continue;
    }
    warn(`Schedules not read (query?type=${type}): ${describeSchedules(read)}.`);
    if (read.reason === 'forbidden' || read.reason === 'unsupported') stillRefused[type] = now.toISOString();
  }
  return { schedules, refused: stillRefused };
}
