// The alert engine: one pure decision per poll of one Enterprise Manager. Given the runs the poll read, whether
// the poll succeeded, every stored state of that EM's subjects, the settings and the time, it returns the events
// to send and the states that changed. Deciding the same input twice, or the same sessions split differently
// across pages and polls, sends nothing new.

import type { Schedule } from '../em/model.ts';
import type { CdpRun, ReplicaRun } from '../em/runs.ts';
import { eventSubject } from './emit.ts';
import { type AlertEvent, cutText, EVENT_TEXT_CHARS } from './event.ts';
import { openWindows } from './maintenance.ts';
import { isMuted, subjectFilter } from './patterns.ts';
import type { AnyRun } from './runs.ts';
import { scheduleState } from './schedule.ts';
import type { Settings } from './settings.ts';
import { hush, inForce, matches, resolvedNow, type Silence } from './silence.ts';
import { freshSource, type PollOutcome, stepSource } from './source.ts';
import { type JobState, type SourceState, type SubjectState, subjectKey } from './state.ts';
import { closeQuietly, type PollContext, type SubjectInfo, stepSubject } from './subject.ts';

export interface PollInput {
  /** The EM's configured name. */
  em: string;
  /** The poll instant, ISO-8601 UTC. */
  now: string;
  outcome: PollOutcome;
  /** Every run the poll read (all pages, in any order; repeats are fine), with running sessions. */
  replicaRuns: readonly ReplicaRun[];
  cdpRuns: readonly CdpRun[];
  /** Every stored state of this EM's subjects (not only those seen): staleness needs the silent ones. */
  states: readonly SubjectState[];
  settings: Settings;
  /** An earlier poll read this EM to the end (see `PollContext`); absent on its first poll. */
  readBefore?: boolean;
  /** The stored silences (any EM, any time: those in force now apply). */
  silences?: readonly Silence[];
  /** The EM's replica job and CDP policy schedules, per kind this poll could read (a kind absent: not read). */
  schedules?: Partial<Record<JobState['kind'], readonly Schedule[]>>;
}

export interface PollDecision {
  /** In decision order; publish each to every channel. */
  events: AlertEvent[];
  /** The states to store: only those that changed. */
  states: SubjectState[];
}

/** What the engine decided for one subject, before silences apply; `watched` false: closed quietly. */
interface Step {
  prev: SubjectState | undefined;
  next: { state: SubjectState; events: AlertEvent[] };
  watched: boolean;
}

export function decidePoll(input: PollInput): PollDecision {
  const { em, now, settings } = input;
  const stored = new Map(input.states.map((s) => [s.key, s]));
  const steps: Step[] = [];
  const keep = (prev: SubjectState | undefined, next: Step['next'], watched = true) =>
    steps.push({ prev, next, watched });

  const sourceKey = subjectKey(em, 'enterprise-manager', em);
  const source = stored.get(sourceKey) as SourceState | undefined;
  if (!isMuted(settings)({ name: em, uid: em }))
    keep(source, stepSource({ prev: source, em, outcome: input.outcome, now, settings }));
  else if (source) {
    // Muted: closed quietly, its count of failed polls forgotten, so that unmuted it starts afresh (a kept
    // `firstFailedAt` would give a new outage the id of the notice already sent, and it would be dropped).
    const { silenced: _, ...rest } = source;
    const closed = { ...rest, open: false, failedPolls: 0, firstFailedAt: null, cause: null };
    keep(source, { state: closed, events: [] }, false);
  }
  // Without a successful poll nothing is known about the jobs: no hold expires, nothing goes stale.
  if (!input.outcome.ok) return settle(steps, input, source);

  // Per subject its runs, and its name and backup server from its latest run (a job can be renamed).
  const groups = new Map<string, { info: SubjectInfo; runs: AnyRun[]; latest: string }>();
  const add = (info: SubjectInfo, run: AnyRun) => {
    const key = subjectKey(em, info.kind, info.uid);
    const group = groups.get(key) ?? { info, runs: [], latest: run.session.creationTime };
    if (run.session.creationTime > group.latest)
      Object.assign(group, { info, latest: run.session.creationTime });
    group.runs.push(run);
    groups.set(key, group);
  };
  // Names cut like every text of an event: they go into every event and state of the subject.
  const cut = (name: string) => cutText(name, EVENT_TEXT_CHARS);
  const named = (kind: SubjectInfo['kind'], uid: string, name: string, server: string | null) => ({
    kind,
    uid,
    name: cut(name),
    backupServer: server === null ? null : cut(server),
  });
  for (const run of input.replicaRuns) {
    const { jobUid, jobName, backupServerName } = run.session;
    add(named('replica-job', jobUid, jobName, backupServerName), run);
  }
  if (settings.cdp) {
    for (const run of input.cdpRuns) {
      const { policyUid, policyName, backupServerName } = run.session;
      add(named('cdp-policy', policyUid, policyName, backupServerName), run);
    }
  }
  for (const state of stored.values()) {
    if (state.kind !== 'enterprise-manager' && !groups.has(state.key))
      groups.set(state.key, { info: state, runs: [], latest: '' });
  }

  const included = subjectFilter(settings);
  const watched = (info: SubjectInfo) => included(info) && (info.kind !== 'cdp-policy' || settings.cdp);
  const schedules = new Map(
    Object.entries(input.schedules ?? {}).map(([kind, list]) => [
      kind as JobState['kind'],
      new Map(list.map((s) => [s.uid, scheduleState(s)])),
    ]),
  );
  const ctx: PollContext = { em, now, settings, readBefore: input.readBefore, schedules };
  // In key order, so that events and states come out the same whatever order the pages came in.
  for (const [key, { info, runs }] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const prev = stored.get(key) as JobState | undefined;
    if (watched(info)) keep(prev, stepSubject(prev, info, runs, ctx));
    else if (prev) keep(prev, { state: closeQuietly(prev), events: [] }, false);
  }
  return settle(steps, input, source);
}

/**
 * Silences and open maintenance windows act on what was decided: a held subject sends nothing, one no longer held
 * sends what it owes (alerts/silence.ts). An until-resolved silence ends on this EM once nothing it matches here is
 * open; the EM's own state remembers that.
 */
function settle(steps: Step[], input: PollInput, source: SourceState | undefined): PollDecision {
  const { now, settings } = input;
  const stored = inForce(input.silences ?? [], now, []);
  const endedBefore = source?.resolvedSilences ?? [];
  const silences = [
    ...stored.filter((s) => !endedBefore.includes(s.id)),
    ...openWindows(settings.maintenance, now, settings.timeZone),
  ];
  const resolved = input.outcome.ok
    ? resolvedNow(
        silences,
        steps.map((step) => step.next.state),
      )
    : [];
  const ended = [...endedBefore, ...resolved].filter((id) => stored.some((s) => s.id === id));
  const holding = silences.filter((s) => !resolved.includes(s.id));
  const events: AlertEvent[] = [];
  const states: SubjectState[] = [];
  for (const { prev, next, watched } of steps) {
    const silence = watched ? holding.find((s) => matches(s, eventSubject(next.state))) : undefined;
    const done = watched ? hush(prev, next, silence, { now, settings }) : next;
    if (done.state.kind === 'enterprise-manager') remember(done.state, ended);
    events.push(...done.events);
    if (!prev || !sameJson(prev, done.state)) states.push(done.state);
  }
  if (ended.length && !steps.some((step) => step.next.state.kind === 'enterprise-manager')) {
    const state = remember(freshSource(input.em), ended);
    if (!sameJson(source, state)) states.push(state);
  }
  return { events, states };
}

function remember(state: SourceState, ended: string[]): SourceState {
  if (ended.length) state.resolvedSilences = ended;
  else delete state.resolvedSilences;
  return state;
}

/** Deep equality of JSON data regardless of key order (stored items may come back reordered). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
