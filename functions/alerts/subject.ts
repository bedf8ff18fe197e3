// The state machine of one replica job or CDP policy: takes in the poll's observations in order, then lets time
// act (retry hold expiry, reminders, staleness). Decisions depend on session times, not on when a poll ran, so
// the same sessions give the same events however polls and pages split them.

import { MINUTE } from '../duration.ts';
import { buildEvent, type EventParts, eventSubject } from './emit.ts';
import type { AlertEvent, AlertSeverity } from './event.ts';
import { checkLongRun, withDuration } from './long-run.ts';
import { type Observation, observeCdp, observeJob } from './observe.ts';
import { rpoOf } from './rpo.ts';
import { type AnyRun, byStart, endOf, mergeRuns, ms, SEVERITY_RANK, summarize } from './runs.ts';
import { isDisabled, isManual, missedRun } from './schedule.ts';
import type { Settings } from './settings.ts';
import { staleThreshold } from './stale.ts';
import { type JobState, MAX_STARTS, type ScheduleState, STATE_VERSION, subjectKey } from './state.ts';

export interface PollContext {
  em: string;
  now: string;
  settings: Settings;
  /** Per kind the EM's schedules by uid, when this poll could read them (a kind absent: not read, not known). */
  schedules?: ReadonlyMap<JobState['kind'], ReadonlyMap<string, ScheduleState>> | undefined;
  /**
   * An earlier poll read this EM to the end: what this one reads for the first time reached the EM late (a
   * collection), rather than being history that ended before we watched.
   */
  readBefore?: boolean | undefined;
}

export interface SubjectInfo {
  kind: JobState['kind'];
  uid: string;
  name: string;
  backupServer: string | null;
}

/** A running session holds a failure at most this long after the failure ended (hung sessions exist). */
const MAX_RUNNING_HOLD_MS = 24 * 3600_000;
/** TTL after a subject's last run: long enough for the median of monthly jobs, short enough to forget deleted ones. */
const IDLE_TTL_SECONDS = 400 * 24 * 3600;

export function stepSubject(
  prev: JobState | undefined,
  info: SubjectInfo,
  runs: readonly AnyRun[],
  ctx: PollContext,
): { state: JobState; events: AlertEvent[] } {
  const state: JobState = prev ? structuredClone(prev) : fresh(info, ctx.em);
  if (runs.length)
    Object.assign(state, { name: info.name, backupServer: info.backupServer ?? state.backupServer });
  fillHeldRun(state, runs);
  // Read this poll: what the EM says now (null: not listed, e.g. deleted); undefined: not read, not known.
  const read = ctx.schedules?.get(state.kind);
  const schedule = read ? (read.get(state.uid) ?? null) : undefined;
  const machine = new Machine(state, ctx, schedule ?? state.schedule);
  const { alertOn, rpoBreach } = ctx.settings;
  const observed =
    state.kind === 'cdp-policy'
      ? observeCdp(state, runs, alertOn, rpoBreach)
      : observeJob(state, runs, alertOn);
  // First sight of a subject on an EM's first poll: what ended before its last success, or before the lookback, is
  // over before we watched; it only seeds the state (schedule, last run) and never alerts. A subject first seen
  // later (a new job, or one whose sessions the EM collected late) alerts on all of it: the reader reads no
  // further back than the collection lag.
  const news =
    prev || ctx.readBefore ? 0 : observed.observations.findLastIndex((obs) => obs.health === 'Success') + 1;
  const quietBefore = ms(ctx.now) - ctx.settings.lookback * MINUTE;
  observed.observations.forEach((obs, i) => {
    if (state.hold && machine.holdEnd(state.hold) <= ms(obs.from)) machine.release();
    machine.record(obs);
    if (i >= news && (prev || ctx.readBefore || ms(obs.at) >= quietBefore)) machine.take(obs);
  });
  state.running = observed.running;
  state.interim = observed.interim;
  machine.tick(schedule);
  if (schedule) state.schedule = schedule;
  else if (schedule === null) delete state.schedule;
  return { state: withExpiry(state), events: machine.events };
}

/**
 * A held failed run that the EM showed before its task sessions, read again with them (or after the wait for
 * them): the VMs and reasons go into the alert when it is sent, which is still once.
 */
function fillHeldRun(state: JobState, runs: readonly AnyRun[]): void {
  const hold = state.hold;
  if (!hold?.awaitingTasksUntil) return;
  const again = mergeRuns(runs).find((run) => run.session.uid === hold.last.session.uid);
  if (!again || again.awaitingTasksUntil) return;
  hold.last = summarize(again.session, again.tasks, hold.last.session.retries);
  delete hold.awaitingTasksUntil;
}

/**
 * A subject no longer watched (excluded, muted, or a CDP policy with CDP off): whatever was open or held ends
 * without a message, notices included, as the user chose not to hear about it; its history stays for when it is
 * watched again.
 */
export function closeQuietly(prev: JobState): JobState {
  // Counted into the next stale's id: the same last run going stale again after an unmute is a new notice, not a
  // repeat of the one closed here (the outbox would drop it), as an EM's new outage is (see the engine). A
  // disabled notice closed counts into the next one's id the same way.
  const quietCloses = (prev.quietCloses ?? 0) + (prev.alert ? 1 : 0);
  // Nothing is held for a subject not watched, and no notice stays out: watched again, it starts afresh.
  const { silenced: _, disabledSince, longRun: __, ...rest } = prev;
  const state: JobState = { ...rest, hold: null, alert: null, running: null, interim: null, quietCloses };
  if (disabledSince) state.disabledNotices = (prev.disabledNotices ?? 0) + 1;
  return withExpiry(state);
}

/**
 * Expires the state IDLE_TTL after the last run ended, open alert or not (a deleted job is forgotten), but never
 * while a failure is held or a session runs: those can still alert.
 */
function withExpiry(state: JobState): JobState {
  const busy = state.hold || state.running || state.interim?.severity;
  state.expiresAt =
    !busy && state.lastRun ? Math.floor(ms(endOf(state.lastRun)) / 1000) + IDLE_TTL_SECONDS : null;
  return state;
}

function fresh(info: SubjectInfo, em: string): JobState {
  return {
    version: STATE_VERSION,
    key: subjectKey(em, info.kind, info.uid),
    kind: info.kind,
    em,
    uid: info.uid,
    name: info.name,
    backupServer: info.backupServer,
    mark: null,
    starts: [],
    lastRun: null,
    retryStreak: 0,
    running: null,
    hold: null,
    alert: null,
    interim: null,
    expiresAt: null,
  };
}

class Machine {
  readonly events: AlertEvent[] = [];
  private readonly nowMs: number;

  constructor(
    private readonly state: JobState,
    private readonly ctx: PollContext,
    /** The schedule as best known (read this poll, else the last read): CDP events carry its RPO. */
    private readonly schedule: ScheduleState | undefined,
  ) {
    this.nowMs = ms(ctx.now);
  }

  /** The hold's end on the clock of the backup server that ran the job (session times are its own). */
  holdEnd(hold: NonNullable<JobState['hold']>): number {
    return ms(hold.at) + this.ctx.settings.retryHold * MINUTE;
  }

  /**
   * When the hold is released: `retryHold` after the run ended, on the clock of its backup server, as documented.
   * Two exceptions measure it on this poller's clock from when it first saw the failure: a server whose clock runs
   * ahead (the run ended in our future: it would be held for hours), and a failure the EM collected after its hold
   * had passed (its retries come through the same late collection; on an EM's first poll that is history, though).
   * Never before the run's task sessions came, or the wait for them ended.
   */
  private releaseAt(hold: NonNullable<JobState['hold']>): number {
    const seen = ms(hold.seenAt ?? hold.at);
    const late = seen < ms(hold.at) || (this.ctx.readBefore && seen > this.holdEnd(hold));
    const release = late ? seen + this.ctx.settings.retryHold * MINUTE : this.holdEnd(hold);
    return hold.awaitingTasksUntil ? Math.max(release, ms(hold.awaitingTasksUntil)) : release;
  }

  /** History, from final runs only: the mark, the run starts for the median gap, the last run. */
  record(obs: Observation): void {
    if (!obs.final) return;
    const { state } = this;
    const { session } = obs.run;
    state.mark = { creationTime: session.creationTime, uid: session.uid };
    state.retryStreak = session.retries;
    state.lastRun = session;
    if (!session.isRetry) state.starts = [...state.starts, session.creationTime].slice(-MAX_STARTS);
    withDuration(state, session);
  }

  take(obs: Observation): void {
    const { state } = this;
    if (obs.health === 'Success') {
      state.hold = null; // a recovered chain sends nothing
      if (state.alert) this.resolve(obs);
      return;
    }
    const alert = state.alert;
    if (alert?.severity) {
      if (obs.newRun) alert.failedRuns++;
      const { session } = obs.run;
      // A CDP session reported while it ran that ends with a FailureMessage: Veeam's explanation is sent too.
      const explained =
        obs.final &&
        session.failureMessage !== null &&
        alert.reported === session.uid &&
        alert.last?.session.failureMessage !== session.failureMessage;
      alert.last = obs.run;
      // A rise in severity is sent at once, never held.
      const rise = SEVERITY_RANK[obs.health] > SEVERITY_RANK[alert.severity];
      if (rise) alert.severity = obs.health;
      if (rise || explained) {
        alert.notifiedAt = this.ctx.now;
        alert.notifiedRuns = alert.failedRuns;
        alert.reported = session.uid;
        this.emit({
          event: 'failure',
          severity: obs.health,
          alertSeverity: alert.severity,
          trigger: [obs.trigger],
          run: obs.run,
          failingSince: alert.since,
          failedRuns: alert.failedRuns,
        });
      }
      return;
    }
    const hold = state.hold;
    state.hold = {
      since: hold?.since ?? obs.at,
      last: obs.run,
      at: obs.at,
      trigger: obs.trigger,
      // What the chain's latest run says: Failed then a Warning retry is a Warning (a later Failed is a rise).
      severity: obs.health,
      failedRuns: Math.max(1, (hold?.failedRuns ?? 0) + (obs.newRun ? 1 : 0)),
      seenAt: this.ctx.now,
      ...(obs.awaitingTasksUntil ? { awaitingTasksUntil: obs.awaitingTasksUntil } : {}),
    };
  }

  /** Time acts: an expired hold is sent, a reminder falls due, a schedule changed, a quiet job goes stale. */
  tick(schedule: ScheduleState | null | undefined): void {
    const { hold } = this.state;
    // Seen by a poll whose clock ran ahead: from now on, or the hold would last as long as the clock was off.
    if (hold?.seenAt && ms(hold.seenAt) > this.nowMs) hold.seenAt = this.ctx.now;
    if (hold && this.nowMs >= this.releaseAt(hold) && !this.heldByRunning(hold)) this.release();
    this.remind();
    this.checkLongRun();
    if (schedule) this.checkDisabled(schedule);
    this.checkStale(schedule ?? undefined);
  }

  /** A run far longer than usual: one notice while it runs, closed when it ends (long-run.ts). */
  private checkLongRun(): void {
    const found = checkLongRun(this.state, this.ctx.settings, this.ctx.now);
    if (!found?.longRun) return;
    const ended = found.event === 'long-run-ended';
    this.emit({
      event: found.event,
      severity: ended ? 'Success' : 'Warning',
      alertSeverity: 'Warning',
      trigger: [found.longRun.sessionUid],
      run: null,
      failingSince: found.longRun.startedAt,
      failedRuns: null,
      longRun: found.longRun,
    });
  }

  /** A schedule seen enabled and now disabled: one notice; enabled again: its all-clear. */
  private checkDisabled(schedule: ScheduleState): void {
    const { state } = this;
    const notices = state.disabledNotices ?? 0;
    const about = { enabled: schedule.enabled === true, nextRun: schedule.nextRun };
    const parts = { run: null, ...(state.lastRun ? { session: state.lastRun } : {}), schedule: about };
    if (isDisabled(schedule) && !state.disabledSince && state.schedule?.enabled === true) {
      state.disabledSince = this.ctx.now;
      this.emit({
        event: 'schedule-disabled',
        severity: 'Warning',
        alertSeverity: 'Warning',
        trigger: [notices],
        failingSince: this.ctx.now,
        failedRuns: null,
        ...parts,
      });
    } else if (state.disabledSince && schedule.enabled === true) {
      this.emit({
        event: 'schedule-enabled',
        severity: 'Success',
        alertSeverity: 'Warning',
        trigger: [notices],
        failingSince: state.disabledSince,
        failedRuns: null,
        ...parts,
      });
      delete state.disabledSince;
      state.disabledNotices = notices + 1;
    }
  }

  private heldByRunning(hold: NonNullable<JobState['hold']>): boolean {
    const { running } = this.state;
    return (
      running !== null &&
      byStart(running, hold.last.session) > 0 &&
      ms(running.creationTime) < this.holdEnd(hold) &&
      this.nowMs < ms(hold.at) + MAX_RUNNING_HOLD_MS
    );
  }

  release(): void {
    const { state } = this;
    const hold = state.hold;
    if (!hold) return;
    state.hold = null;
    const since = state.alert?.since ?? hold.since;
    const failedRuns = hold.failedRuns + (state.alert?.failedRuns ?? 0);
    state.alert = {
      since,
      severity: hold.severity,
      failedRuns,
      notifiedAt: this.ctx.now,
      notifiedRuns: failedRuns,
      reminders: 0,
      openedBy: hold.trigger,
      last: hold.last,
      reported: hold.last.session.uid,
    };
    this.emit({
      event: 'failure',
      severity: hold.severity,
      alertSeverity: hold.severity,
      trigger: [hold.trigger],
      run: hold.last,
      failingSince: since,
      failedRuns,
    });
  }

  private resolve(obs: Observation): void {
    const alert = this.state.alert;
    if (!alert) return;
    this.state.alert = null;
    this.emit({
      event: 'resolved',
      severity: 'Success',
      alertSeverity: alert.severity ?? 'Warning',
      trigger: [obs.trigger],
      run: obs.run,
      failingSince: alert.since,
      failedRuns: alert.failedRuns,
    });
  }

  /**
   * Once per `repeat` while the alert is failing, whether failed runs still arrive or not: a failing job that
   * stopped running must not go silent, as silence means health. Such a reminder says since when no run finished.
   */
  private remind(): void {
    const { state } = this;
    const { alert, lastRun } = state;
    const repeat = this.ctx.settings.repeat * MINUTE;
    if (!alert?.severity || !repeat || this.nowMs - ms(alert.notifiedAt) < repeat) return;
    // Quiet: no run counted or finished since the last notice (a CDP session's end counts no new run), none running,
    // and for longer than the job would need to go stale; a job merely between its runs is not said to have stopped.
    const latest = lastRun ?? alert.last?.session;
    const threshold = staleThreshold(state, this.ctx.settings);
    const quiet =
      alert.failedRuns <= alert.notifiedRuns &&
      (!lastRun || ms(endOf(lastRun)) <= ms(alert.notifiedAt)) &&
      !state.running &&
      !state.interim &&
      latest !== undefined &&
      threshold !== null &&
      this.nowMs - ms(endOf(latest)) > threshold.minutes * MINUTE;
    alert.reminders++;
    alert.notifiedAt = this.ctx.now;
    alert.notifiedRuns = alert.failedRuns;
    this.emit({
      event: 'reminder',
      severity: alert.severity,
      alertSeverity: alert.severity,
      trigger: [alert.openedBy, alert.reminders],
      run: alert.last,
      failingSince: alert.since,
      failedRuns: alert.failedRuns,
      ...(quiet ? { quietSince: endOf(latest) } : {}),
    });
  }

  /**
   * Overdue: the last run ended longer ago than the stale threshold, or the EM's scheduled run did not start
   * (`fresh`: the schedule read this poll). A job run only by hand is never stale, a disabled one has its notice.
   */
  private checkStale(fresh: ScheduleState | undefined): void {
    const { state } = this;
    const { lastRun } = state;
    if (state.alert || state.hold || !lastRun) return;
    const known = fresh ?? state.schedule;
    if (isManual(known) || isDisabled(known) || state.disabledSince) return;
    const threshold = staleThreshold(state, this.ctx.settings);
    if (!threshold) return;
    const lastRunEnd = endOf(lastRun);
    const grace = this.ctx.settings.missedRunGrace;
    const missed = fresh ? missedRun(fresh, state, this.nowMs, grace) : null;
    const due = missed ? ms(missed) + grace * MINUTE : ms(lastRunEnd) + threshold.minutes * MINUTE;
    if (!missed && !(this.nowMs > due)) return;
    const since = new Date(due).toISOString();
    state.alert = {
      since,
      severity: null,
      failedRuns: 0,
      notifiedAt: this.ctx.now,
      notifiedRuns: 0,
      reminders: 0,
      openedBy: lastRun.uid,
      last: null,
    };
    const stale = missed
      ? { lastRunEnd, thresholdMinutes: grace, basis: 'schedule' as const, dueAt: missed }
      : { lastRunEnd, thresholdMinutes: threshold.minutes, basis: threshold.basis };
    this.emit({
      event: 'stale',
      severity: 'Warning',
      alertSeverity: 'Warning' satisfies AlertSeverity,
      trigger: [lastRun.uid, ...(state.quietCloses ? [state.quietCloses] : [])],
      run: null,
      session: lastRun,
      failingSince: since,
      failedRuns: null,
      stale,
    });
  }

  private emit(parts: EventParts): void {
    const event = buildEvent(eventSubject(this.state), this.ctx.now, parts);
    if (this.state.kind === 'cdp-policy') event.rpo = rpoOf(this.schedule, parts.run);
    this.events.push(event);
  }
}
