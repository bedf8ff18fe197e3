// CDP's recovery point objective: the RPO the policy is configured with (its schedule options, read with the
// schedules) goes into every message about the policy, and a sync or session whose words say the RPO was not met is
// labelled a breach (and may be raised to Failed: the `rpoBreach` setting). Veeam's exact wording is not published;
// any mention of the RPO with one of the words of failing it counts. Plain substring tests: linear on any text.

import type { AlertEvent } from './event.ts';
import type { RunSummary, ScheduleState } from './state.ts';

const RPO = ['rpo', 'recovery point objective'];
const MISSED = ['violat', 'exceed', 'not met', 'breach', 'missed', 'overdue', 'lag'];

export function isRpoBreach(text: string | null | undefined): boolean {
  if (!text) return false;
  const lower = text.toLowerCase();
  return RPO.some((word) => lower.includes(word)) && MISSED.some((word) => lower.includes(word));
}

/** The `rpo` field of an event about a CDP policy: its configured RPO if known, and whether the run breached it. */
export function rpoOf(schedule: ScheduleState | undefined, run: RunSummary | null): AlertEvent['rpo'] {
  const texts = [run?.session.failureMessage, ...(run?.vms ?? []).map((vm) => vm.reason)];
  return { seconds: schedule?.rpoSeconds ?? null, breached: texts.some(isRpoBreach) };
}
