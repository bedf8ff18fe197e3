// When a job (or CDP policy) that used to run counts as stale: its last run ended longer ago than a threshold.

import { MINUTE } from '../duration.ts';
import { median, ms } from './runs.ts';
import type { Settings, StaleSetting } from './settings.ts';
import type { JobState } from './state.ts';

export interface StaleThreshold {
  minutes: number;
  basis: 'median' | 'few-runs' | 'configured';
}

const MIN_MINUTES = 2 * 60;
const FEW_RUNS_MINUTES = 26 * 60;

/** The subject's threshold, or null when stale detection is off for it. */
export function staleThreshold(state: JobState, settings: Settings): StaleThreshold | null {
  const setting: StaleSetting =
    settings.staleOverrides[state.uid] ?? settings.staleOverrides[state.name] ?? settings.stale;
  if (setting === 'off') return null;
  if (typeof setting === 'number') return { minutes: setting, basis: 'configured' };
  if (state.starts.length < 3) return { minutes: FEW_RUNS_MINUTES, basis: 'few-runs' };
  const gaps = state.starts.slice(1).map((start, i) => (ms(start) - ms(state.starts[i] ?? start)) / MINUTE);
  return { minutes: Math.max(MIN_MINUTES, Math.round(3 * median(gaps))), basis: 'median' };
}
