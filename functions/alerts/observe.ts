// Turns a subject's runs into observations, in order: what happened that the subject's state must take in.
// A replica job is observed when a session is final. A CDP policy session runs for 24 hours, so it is also
// observed while running: when its VMs' latest syncs turn bad (completed, or running with a bad result) (one observation per policy session,
// so one bad hour is one message), and when they all recover.

import type { AlertSeverity } from './event.ts';
import { isRpoBreach } from './rpo.ts';
import {
  type AnyRun,
  type AnyTask,
  byStart,
  endOf,
  type Health,
  healthOf,
  isDecisive,
  isFinal,
  isRunning,
  latestPerVm,
  mergeRuns,
  SEVERITY_RANK,
  summarize,
} from './runs.ts';
import type { JobState, RunSummary } from './state.ts';

export interface Observation {
  run: RunSummary;
  health: Health;
  /** The session (or, for a running CDP policy, the VM task) that caused it: part of event ids. */
  trigger: string;
  /** When it happened: the end of the run or of the triggering task. */
  at: string;
  /** Since when the run was under way, holding an earlier failure (jobs: its start; CDP: `at`). */
  from: string;
  /** A new run: counts in failed runs (not so for the end of a CDP session already counted). */
  newRun: boolean;
  /** The final session: advances the state's mark and its history (run starts, last run). */
  final: boolean;
  /** Its task sessions are not collected yet: a failure is held for them until then. */
  awaitingTasksUntil?: string;
}

export interface Observed {
  observations: Observation[];
  running: JobState['running'];
  interim: JobState['interim'];
}

const afterMark = (state: JobState, s: { creationTime: string; uid: string }) =>
  !state.mark || byStart(s, state.mark) > 0;

export function observeJob(
  state: JobState,
  runs: readonly AnyRun[],
  alertOn: readonly AlertSeverity[],
): Observed {
  const observations: Observation[] = [];
  const merged = mergeRuns(runs);
  // The poller reads every session it saw running until it is final: one it no longer reports is gone.
  let running = merged.some(({ session }) => session.uid === state.running?.uid) ? state.running : null;
  let streak = state.retryStreak;
  for (const { session, tasks, awaitingTasksUntil } of merged) {
    if (!afterMark(state, session)) continue;
    // Stopped with any result, even None or an unknown one, the session no longer runs: it holds nothing.
    if (running && session.state === 'Stopped' && byStart(session, running) >= 0) running = null;
    const health = healthOf(session.result, alertOn);
    if (isFinal(session) && health) {
      streak = session.isRetry ? streak + 1 : 0;
      const run = summarize(session, tasks, streak);
      observations.push({
        run,
        health,
        trigger: session.uid,
        at: endOf(session),
        from: session.creationTime,
        newRun: true,
        final: true,
        ...(awaitingTasksUntil ? { awaitingTasksUntil } : {}),
      });
    } else if (isRunning(session) && (!running || byStart(session, running) > 0)) {
      running = { uid: session.uid, creationTime: session.creationTime };
    }
  }
  return { observations, running, interim: null };
}

export function observeCdp(
  state: JobState,
  runs: readonly AnyRun[],
  alertOn: readonly AlertSeverity[],
  rpoBreach: 'reported' | 'Failed' = 'reported',
): Observed {
  /** A bad sync whose reason says the RPO was breached counts as Failed when the setting says so. */
  const badness = (task: AnyTask): AlertSeverity | null => {
    const health = healthOf(task.result, alertOn);
    if (health === 'Success' || health === null) return null;
    return rpoBreach === 'Failed' && isRpoBreach(task.reason) ? 'Failed' : health;
  };
  const observations: Observation[] = [];
  let interim = state.interim;
  let streak = state.retryStreak;
  for (const { session, tasks, awaitingTasksUntil } of mergeRuns(runs)) {
    if (!afterMark(state, session)) continue;
    const counted = interim?.sessionUid === session.uid ? interim.severity : null;
    const reported = healthOf(session.result, alertOn);
    const raise =
      rpoBreach === 'Failed' && reported && reported !== 'Success' && isRpoBreach(session.failureMessage);
    const health = raise ? 'Failed' : reported;
    if (isFinal(session) && health) {
      streak = session.isRetry ? streak + 1 : 0;
      const run = summarize(session, tasks, streak);
      const newRun = !(counted && health !== 'Success');
      observations.push({
        run,
        health,
        trigger: session.uid,
        at: endOf(session),
        from: endOf(session),
        newRun,
        final: true,
        ...(awaitingTasksUntil ? { awaitingTasksUntil } : {}),
      });
      interim = null;
    } else if (isRunning(session)) {
      const synced = latestPerVm(tasks.filter(isDecisive));
      const bad = synced.filter((t) => badness(t)).sort(byEnd);
      const worst = bad.reduce<AlertSeverity | null>((w, t) => worstOf(w, badness(t)), null);
      const run = () => summarize(session, tasks, streak);
      const first = bad[0];
      if (worst && first && (!counted || SEVERITY_RANK[worst] > SEVERITY_RANK[counted])) {
        observations.push({
          run: run(),
          health: worst,
          trigger: first.uid,
          at: endOf(first),
          from: endOf(first),
          newRun: !counted,
          final: false,
        });
        interim = { sessionUid: session.uid, severity: worst };
      }
      const last = synced.sort(byEnd).at(-1);
      if (!worst && counted && last) {
        observations.push({
          run: run(),
          health: 'Success',
          trigger: last.uid,
          at: endOf(last),
          from: endOf(last),
          newRun: false,
          final: false,
        });
        interim = { sessionUid: session.uid, severity: null };
      }
    }
  }
  return { observations, running: null, interim };
}

const byEnd = (a: AnyTask, b: AnyTask) =>
  byStart({ creationTime: endOf(a), uid: a.uid }, { creationTime: endOf(b), uid: b.uid });

const worstOf = (a: AlertSeverity | null, b: AlertSeverity | null): AlertSeverity | null =>
  !a ? b : !b || SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
