// One poll of one Enterprise Manager: read what is new, decide, remember, deliver. The order of its writes, which
// lets a poll stopped anywhere leave state from which the next one delivers exactly what is missing, is described
// once, in docs/state.md ("The order of a poll's writes"); `pollEm` follows it step by step.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  decidePoll,
  type PollInput,
  type PollOutcome,
  type Settings,
  type SubjectState,
} from '../alerts/index.ts';
import { HOUR, MINUTE } from '../duration.ts';
import { withSession } from '../em/client.ts';
import { DEFAULTS, type EmConfig } from '../em/config.ts';
import { EmError, type EmErrorKind } from '../em/errors.ts';
import type { CdpRun, ReplicaRun } from '../em/runs.ts';
import type { Notifier } from '../notify/notifier.ts';
import { forEachLimit } from '../parallel.ts';
import { type EmSecret, SecretError } from '../secrets/secrets.ts';
import type { SilenceStore } from '../state/silences.ts';
import type { StateStore } from '../state/store.ts';
import { deliver } from './deliver.ts';
import type { EmTarget } from './env.ts';
import { type ReadState, readEm, type StoredReadState, upgrade } from './read.ts';
import { readScheduleTypes } from './schedules.ts';

export interface Log {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** The log message of an EM that could not be polled (the CLI prints the summary's cause instead). */
export const EM_FAILED = 'Polling the Enterprise Manager failed.';

export interface PollerDeps {
  store: StateStore;
  /** Where silences are kept; absent: none. */
  silences?: SilenceStore;
  notifier: Notifier;
  /** The EM's credentials; `refresh` re-reads them after the EM rejected them. */
  credentials(target: EmTarget, refresh: boolean): Promise<EmSecret>;
  now(): Date;
  log: Log;
}

export interface PollOptions {
  settings: Settings;
  /** How far before the cursor each poll re-reads (sessions the EM collects late). Default 1 hour. */
  overlapMs?: number;
  /** How long a failed run is held for task sessions the EM has not collected yet. Default 1 hour. */
  taskWaitMs?: number;
  /**
   * How far back a first poll reads (default: the lookback setting). Reading further than the lookback teaches
   * the engine each job's schedule (for stale detection) without alerting on the older runs.
   */
  historyMs?: number;
  /** The whole EM session must end by then (the Lambda's remaining time minus a margin). */
  deadlineMs?: number;
  /** Extra EM client settings: timeouts, retries, page size, format, insecure TLS (never by default). */
  em?: Partial<Omit<EmConfig, 'name' | 'url' | 'credentials' | 'signal'>>;
  /** True when no more publishing should start (the invocation is about to time out). */
  shouldStop?: () => boolean;
  /**
   * Interrupts the poll (the CLI's Ctrl-C). Before the EM is read to the end: its requests stop, it is logged off,
   * nothing is recorded and `PollInterrupted` is thrown. After: as `shouldStop` (no more publishing starts).
   */
  signal?: AbortSignal;
  /** Called after each page of sessions read, with the count so far (the CLI's progress line). */
  onProgress?: (sessionsRead: number) => void;
}

/**
 * `em-failed`: the EM (or its secret) could not be read, an alert of its own; `skipped`: another poll holds this
 * EM's lease; `crashed`: anything else stopped the poll (DynamoDB down, a bug), its state left for the next one.
 */
export type PollStatus = 'ok' | 'em-failed' | 'skipped' | 'crashed';
/** Why a poll failed: the EM client's error kinds, the secret that could not be read, or a crash. */
export type PollFailureKind = EmErrorKind | 'secret' | 'crash';

export interface PollSummary {
  em: string;
  status: PollStatus;
  error?: { kind: PollFailureKind; message: string };
  sessionsRead: number;
  emRequests: number;
  eventsDecided: number;
  published: number;
  publishFailures: number;
  /** Events with channels still pending after this poll (delivered by a later one). */
  pending: number;
}

/** The poll's signal aborted while it read the EM: logged off, nothing recorded, the lease released. */
export class PollInterrupted extends Error {
  constructor(readonly em: string) {
    super(`The poll of Enterprise Manager "${em}" was interrupted before it recorded anything.`);
    this.name = 'PollInterrupted';
  }
}

export function emptySummary(em: string): PollSummary {
  return {
    em,
    status: 'ok',
    sessionsRead: 0,
    emRequests: 0,
    eventsDecided: 0,
    published: 0,
    publishFailures: 0,
    pending: 0,
  };
}

/** How long a poll's lease lasts if its holder dies: its deadline, plus a minute for the writes after it. */
export function leaseMs(options: Pick<PollOptions, 'deadlineMs'>): number {
  return (options.deadlineMs ?? DEFAULTS.deadlineMs) + MINUTE;
}

export async function pollEm(target: EmTarget, deps: PollerDeps, options: PollOptions): Promise<PollSummary> {
  const { store, log } = deps;
  const startedMs = deps.now().getTime();
  const deadlineMs = options.deadlineMs ?? DEFAULTS.deadlineMs;
  const summary = emptySummary(target.name);
  const lease = { scope: `em#${target.name}`, holder: randomUUID() };
  if (!(await store.tryLease({ ...lease, nowMs: startedMs, ttlMs: leaseMs(options) }))) {
    log.warn('Another poll of this Enterprise Manager is running; skipped.', { em: target.name });
    return { ...summary, status: 'skipped' };
  }
  try {
    const em = target.name;
    const snapshot = await store.load<SubjectState, StoredReadState>({ em, nowMs: startedMs });
    const previous = upgrade(snapshot.meta);
    const read = await readAll({ target, deps, options, previous, startedMs, deadlineMs });
    summary.emRequests = read.emRequests;
    summary.sessionsRead = read.replicaRuns.length + read.cdpRuns.length;
    if (!read.outcome.ok) Object.assign(summary, { status: 'em-failed', error: read.outcome.error });

    const silences = await readSilences(deps, em);
    const decision = decidePoll({
      em,
      silences,
      now: new Date(startedMs).toISOString(),
      outcome: read.outcome,
      replicaRuns: read.replicaRuns,
      schedules: read.schedules,
      cdpRuns: read.cdpRuns,
      states: snapshot.subjects.map((record) => record.state),
      settings: options.settings,
      readBefore: previous !== null,
    });
    summary.eventsDecided = decision.events.length;
    const channels = deps.notifier.channels;
    // Every event recorded before any state is saved; within each step, the writes in flight together.
    await forEachLimit(decision.events, (event, seq) =>
      store.recordEvent({ em, id: event.id, event, channels, nowMs: startedMs, seq }),
    );
    const versions = new Map(snapshot.subjects.map((record) => [record.key, record.version]));
    await forEachLimit(decision.states, (state) => {
      const expiresAtMs = state.expiresAt === null ? null : state.expiresAt * 1000;
      const version = versions.get(state.key) ?? 0;
      return store.saveSubject({ em, key: state.key, state, version, expiresAtMs });
    });
    if (read.next) await store.saveMeta({ em, meta: read.next, version: snapshot.metaVersion });
    const stop = () => Boolean(options.shouldStop?.() || options.signal?.aborted);
    Object.assign(summary, await deliver({ em, ...deps, settings: options.settings, stop }));
    return summary;
  } finally {
    await store.releaseLease(lease);
  }
}

/** The stored silences; one that is not (edited by hand) is logged and ignored rather than stopping the poll. */
export async function readSilences({ silences, log }: Pick<PollerDeps, 'silences' | 'log'>, em: string) {
  if (!silences) return [];
  const { silences: found, skipped } = await silences.list();
  if (skipped.length) log.warn('Stored silences that are not valid were ignored.', { em, skipped });
  return found;
}

interface ReadResult {
  replicaRuns: ReplicaRun[];
  cdpRuns: CdpRun[];
  /** Per kind, the schedules the EM gave (a kind absent: not read). */
  schedules: NonNullable<PollInput['schedules']>;
  /** The bookkeeping for the next poll; absent when the EM could not be read to the end. */
  next: ReadState | undefined;
  outcome: PollOutcome;
  emRequests: number;
}

/**
 * Reads the EM in one logon session (a second one after a TLS failure, when the re-read secret has another CA); an
 * EM or credentials failure becomes the poll's outcome, not an exception.
 */
interface ReadRequest {
  target: EmTarget;
  deps: PollerDeps;
  options: PollOptions;
  /** The bookkeeping of the last poll that read this EM to the end; null before the first. */
  previous: ReadState | null;
  startedMs: number;
  deadlineMs: number;
}

async function readAll(request: ReadRequest): Promise<ReadResult> {
  const { target, deps, options, previous, startedMs, deadlineMs } = request;
  const result: ReadResult = {
    replicaRuns: [],
    cdpRuns: [],
    schedules: {},
    next: undefined,
    outcome: { ok: true },
    emRequests: 0,
  };
  const began = performance.now();
  const read = async (secret: EmSecret) => {
    const left = Math.max(1_000, Math.floor(deadlineMs - (performance.now() - began))); // one deadline for both tries
    Object.assign(result, { replicaRuns: [], cdpRuns: [], schedules: {} });
    await withSession(emConfig(request, left, secret), async (em) => {
      const reader = readEm(em, previous, {
        now: new Date(startedMs),
        lookbackMs: Math.max(options.historyMs ?? 0, options.settings.lookback * MINUTE),
        overlapMs: options.overlapMs ?? HOUR,
        collectionLagMs: options.settings.collectionLag * MINUTE,
        taskWaitMs: options.taskWaitMs ?? HOUR,
        cdp: options.settings.cdp,
        warn: (message) => deps.log.warn(message, { em: target.name }),
      });
      // Pages as they come; the generator's return value is the next poll's bookkeeping.
      for (let step = await reader.next(); ; step = await reader.next()) {
        if (step.done) {
          const read = await readScheduleTypes(em, {
            now: new Date(startedMs),
            cdp: options.settings.cdp,
            refused: previous?.refused ?? {},
            warn: (message) => deps.log.warn(message, { em: target.name }),
          });
          result.schedules = read.schedules;
          result.next = {
            ...step.value,
            ...(Object.keys(read.refused).length ? { refused: read.refused } : {}),
          };
          break;
        }
        if (step.value.type === 'ReplicaJobSession') result.replicaRuns.push(...step.value.runs);
        else result.cdpRuns.push(...step.value.runs);
        options.onProgress?.(result.replicaRuns.length + result.cdpRuns.length);
      }
      result.emRequests = em.requestCount + 1; // + the logoff still to come
    });
  };
  try {
    const cached = await deps.credentials(target, false);
    await read(cached).catch(async (error: unknown) => {
      // The EM's certificate rotated with the CA in its secret, and the cached copy holds the old CA: read the
      // secret afresh, as after a 401, and try once more if its CA changed (a CA in the target overrides it).
      if (!(error instanceof EmError && error.kind === 'tls') || target.caCert) throw error;
      const fresh = await deps.credentials(target, true).catch(() => undefined); // the TLS error says more
      if (!fresh || fresh.caCert === cached.caCert) throw error;
      if (performance.now() - began >= deadlineMs) throw error; // no time left for a second logon session
      await read(fresh);
    });
  } catch (error) {
    // Whatever the interrupted request reported (the deadline's error), this is not an EM failure to count.
    if (options.signal?.aborted) throw new PollInterrupted(target.name);
    if (!(error instanceof EmError || error instanceof SecretError)) throw error;
    const kind = error instanceof EmError ? error.kind : 'secret'; // the EM rejected nothing: we had nothing to send
    result.outcome = { ok: false, error: { kind, message: error.message } };
    deps.log.error(EM_FAILED, { em: target.name, kind, reason: error.message });
  }
  return result;
}

function emConfig({ target, deps, options }: ReadRequest, deadlineMs: number, secret: EmSecret): EmConfig {
  return {
    ...options.em,
    name: target.name,
    url: target.url,
    caPem: target.caCert ?? secret.caCert ?? options.em?.caPem,
    deadlineMs,
    signal: options.signal,
    credentials: async ({ refresh }) => (refresh ? deps.credentials(target, true) : secret),
  };
}
