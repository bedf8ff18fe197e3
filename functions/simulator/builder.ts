// Builds scenarios for tests and demos, deterministically from a seed: the same calls give the same GUIDs,
// sizes and times. Sessions are described as they end; the simulator's clock shows them running until then.
//
//   const s = new ScenarioBuilder({ now: '2025-08-16T06:00:00Z', seed: 7 });
//   const job = s.replicaJob('SQL Replication', { backupServer: 'vbr01.tech.local' });
//   job.run({ start: '2025-08-16T02:00:00Z', durationMin: 20, vms: ['sql02', { name: 'sql01', result: 'Failed', reason }] });
//   job.retry({ recover: true }); // 10 minutes later, only sql01 again, now Success
//   s.cdpPolicy('CDP Tier1').session({ start, vms: [{ name: 'dc01', result: 'Warning', reason }] });
//   // A VM whose last sync is still running but already failing: served InProgress, Failed, with its reason.
//   s.cdpPolicy('CDP Tier2').session({ start, durationMin: null, vms: [{ name: 'dc03', running: true, result: 'Failed', reason }] });
//   // Listed by query?type=Job (Portal Administrator only): every 2 h from 02:00, NextRun moving on with the clock.
//   s.replicaJob('SQL Replication').schedule({ at: '2025-08-16T02:00:00Z', everyMin: 120 });
//   const scenario = s.build();

import { MINUTE } from '../duration.ts';
import type {
  CdpReplicaSession,
  CdpReplicaTaskSession,
  ReplicaJobSession,
  ReplicaTaskSession,
  SessionResult,
  SessionState,
  TaskState,
} from '../em/model.ts';
import { Random } from './random.ts';
import {
  type BackupServer,
  emptyScenario,
  SCHEDULE_LISTS,
  type Scenario,
  type ScheduleRow,
} from './scenario.ts';

export interface VmSpec {
  name: string;
  /** Default Success. */
  result?: SessionResult;
  /** Why it ended Warning or Failed, verbatim. */
  reason?: string | null;
  /** Default Completed. */
  state?: TaskState;
  /** Replicated size; default a stable random size per VM. */
  sizeGb?: number;
}

/** A VM by name (it succeeds) or in full. */
export type Vm = string | VmSpec;
export type Time = string | Date;

export interface RunSpec {
  start: Time;
  /** Minutes until the run ends; null runs forever. Default 15. */
  durationMin?: number | null;
  vms: Vm[];
  /** Default: the worst VM result (Failed, then Warning, then Success). */
  result?: SessionResult;
  /** Default Stopped; anything else (Pausing, Postprocessing, ...) is served as given. */
  state?: SessionState;
  isRetry?: boolean;
  failureMessage?: string | null;
}

export interface RetrySpec extends Partial<Omit<RunSpec, 'start' | 'isRetry'>> {
  /** Minutes after the previous run ended; default 10 (Veeam's default retry wait). */
  afterMin?: number;
  /** Without `vms`: the VMs that failed last time succeed (true, default) or fail again alike (false). */
  recover?: boolean;
}

export interface CdpVmSpec extends VmSpec {
  /** Consecutive syncs (task sessions) in one policy session; default 3. */
  syncs?: number;
  /**
   * The VM's last sync has not ended: it is served as given (state `state` or InProgress, with this VM's result
   * and reason) rather than as a running sync (InProgress, Success). Replace it later with `sim.add` to end it.
   */
  running?: boolean;
}

export interface PolicySessionSpec extends Omit<RunSpec, 'vms'> {
  /** Default 1440 (a CDP policy session lasts a day). */
  durationMin?: number | null;
  vms: (string | CdpVmSpec)[];
}

/** A job's or policy's schedule as the schedule queries list it (see ScheduleRow). */
export interface ScheduleSpec {
  /** The first run by the schedule; default none (no NextRun). */
  at?: Time;
  /** Runs every so many minutes from `at`, NextRun moving on as the clock passes each; without it NextRun stays. */
  everyMin?: number;
  /** false: disabled (ScheduleEnabled false, no NextRun). Default true. */
  enabled?: boolean;
  /** false: run by hand only (ScheduleConfigured false, no NextRun). Default true. */
  configured?: boolean;
}

export interface PolicyScheduleSpec extends ScheduleSpec {
  /** Default 15, the published sample's. */
  rpoSeconds?: number;
}

export interface BuilderOptions {
  now: Time;
  seed?: number | string;
}

const GIB = 2 ** 30;
const SEVERITY = ['None', 'Success', 'Warning', 'Failed'];

const epoch = (time: Time): number => {
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`Not a time: ${String(time)}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
/** Session names carry the start as `yyyy-mm-dd hh:mm:ss`. */
const named = (name: string, ms: number): string => `${name}@${iso(ms).slice(0, 19).replace('T', ' ')}`;
// Every field but the name is optional, so a bare name is a complete spec.
const spec = <T extends VmSpec>(vm: string | T): T => (typeof vm === 'string' ? ({ name: vm } as T) : vm);
/** The worst result among the VMs: what the job session shows when not given. */
const worst = (vms: readonly VmSpec[]): SessionResult =>
  vms.reduce<SessionResult>((acc, vm) => {
    const result = vm.result ?? 'Success';
    return SEVERITY.indexOf(result) > SEVERITY.indexOf(acc) ? result : acc;
  }, 'Success');

export class ScenarioBuilder {
  readonly random: Random;
  private readonly scenario: Scenario;
  private readonly servers = new Map<string, BackupServer>();
  private readonly sizes = new Map<string, number>();

  constructor({ now, seed = 1 }: BuilderOptions) {
    this.random = new Random(seed);
    this.scenario = emptyScenario(iso(epoch(now)));
  }

  get now(): string {
    return this.scenario.now;
  }

  /** The backup server with this name, created on first use. */
  backupServer(name: string): BackupServer {
    let server = this.servers.get(name);
    if (!server) {
      server = { uid: `urn:veeam:BackupServer:${this.random.guid()}`, name };
      this.servers.set(name, server);
      this.scenario.backupServers.push(server);
    }
    return server;
  }

  replicaJob(name: string, { backupServer = 'vbr01.tech.local' } = {}): ReplicaJob {
    return new ReplicaJob(this.source(name, backupServer));
  }

  cdpPolicy(name: string, { backupServer = 'vbr01.tech.local' } = {}): CdpPolicy {
    return new CdpPolicy(this.source(name, backupServer));
  }

  /** The scenario so far (lists copied, so building on does not change it). */
  build(): Scenario {
    const s = this.scenario;
    return {
      backupServers: [...s.backupServers],
      replicaJobSessions: [...s.replicaJobSessions],
      replicaTaskSessions: [...s.replicaTaskSessions],
      cdpReplicaSessions: [...s.cdpReplicaSessions],
      cdpReplicaTaskSessions: [...s.cdpReplicaTaskSessions],
      jobs: [...(s.jobs ?? [])],
      cdpPolicies: [...(s.cdpPolicies ?? [])],
      now: s.now,
    };
  }

  private source(name: string, backupServer: string): Source {
    return { builder: this, scenario: this.scenario, name, server: this.backupServer(backupServer) };
  }

  /** A VM's replicated size, stable across runs. */
  sizeOf(vm: VmSpec): number {
    if (vm.sizeGb !== undefined) return vm.sizeGb * GIB;
    const known = this.sizes.get(vm.name);
    if (known !== undefined) return known;
    const size = this.random.pick([16, 32, 40, 60, 80, 120, 200]) * GIB;
    this.sizes.set(vm.name, size);
    return size;
  }
}

/** When a session starts and ends (null: never), in epoch milliseconds. */
interface Span {
  from: number;
  to: number | null;
}

/** Times of a session: start as given, end with a realistic sub-second part. */
function span(builder: ScenarioBuilder, start: Time, durationMin: number | null): Span {
  const from = epoch(start);
  return { from, to: durationMin === null ? null : from + durationMin * MINUTE + builder.random.int(0, 999) };
}

/** A job or policy: its name and backup server, and the builder and scenario its sessions go to. */
interface Source {
  builder: ScenarioBuilder;
  scenario: Scenario;
  name: string;
  server: BackupServer;
}

/** What a replica job and a CDP policy share: a UID of their kind, and the fields their sessions say alike. */
abstract class SessionSource {
  readonly uid: string;
  readonly name: string;
  readonly backupServer: BackupServer;
  protected readonly builder: ScenarioBuilder;
  protected readonly scenario: Scenario;

  protected constructor(
    private readonly kind: 'Job' | 'CdpPolicy',
    { builder, scenario, name, server }: Source,
  ) {
    this.builder = builder;
    this.scenario = scenario;
    this.name = name;
    this.backupServer = server;
    this.uid = `urn:veeam:${kind}:${builder.random.guid()}`;
  }

  /** A job run's or policy session's server, times, state and result, from its spec. */
  protected stamps(run: Omit<RunSpec, 'vms'>, { from, to }: Span, vms: readonly VmSpec[]) {
    return {
      ...this.server(),
      creationTime: iso(from),
      endTime: to === null ? null : iso(to),
      state: run.state ?? 'Stopped',
      result: run.result ?? worst(vms),
    };
  }

  /** What a replica and a CDP task session say alike about one VM's part in a run. */
  protected vmPart({ vm, start, end }: { vm: VmSpec; start: number; end: number | null }) {
    return {
      name: named(vm.name, start),
      vmDisplayName: vm.name,
      ...this.server(),
      creationTime: iso(start),
      endTime: end === null ? null : iso(end),
      state: vm.state ?? 'Completed',
      result: vm.result ?? 'Success',
      reason: vm.reason ?? null,
      totalSize: this.builder.sizeOf(vm),
    };
  }

  /** Lists it in its schedule query, replacing what an earlier call listed. */
  protected listSchedule(spec: ScheduleSpec, extra: Partial<ScheduleRow>): ScheduleRow {
    const { everyMin } = spec;
    if (everyMin !== undefined && !(everyMin > 0 && Number.isFinite(everyMin)))
      throw new RangeError(`${this.name}: everyMin must be a positive number of minutes, got ${everyMin}`);
    const row: ScheduleRow = {
      uid: this.uid,
      name: this.name,
      ...this.server(),
      scheduleConfigured: spec.configured ?? true,
      scheduleEnabled: spec.enabled ?? true,
      firstRun: spec.at === undefined ? null : iso(epoch(spec.at)),
      ...(everyMin !== undefined && { everyMin }),
      ...extra,
    };
    const key = SCHEDULE_LISTS[this.kind];
    const list = this.scenario[key] ?? [];
    this.scenario[key] = list;
    const listed = list.findIndex((r) => r.uid === row.uid);
    if (listed >= 0) list[listed] = row;
    else list.push(row);
    return row;
  }

  private server() {
    return { backupServerUid: this.backupServer.uid, backupServerName: this.backupServer.name };
  }
}

export class ReplicaJob extends SessionSource {
  private last: { session: ReplicaJobSession; vms: VmSpec[] } | undefined;

  constructor(source: Source) {
    super('Job', source);
  }

  /** Lists the job in `query?type=Job` with this schedule. */
  schedule(spec: ScheduleSpec = {}): ScheduleRow {
    return this.listSchedule(spec, { jobType: 'Replica' });
  }

  /** One run: a job session and a task session per VM, processed one after another. */
  run(run: RunSpec): ReplicaJobSession {
    const random = this.builder.random;
    const times = span(this.builder, run.start, run.durationMin === undefined ? 15 : run.durationMin);
    const { from, to } = times;
    const vms = run.vms.map(spec);
    const session: ReplicaJobSession = {
      uid: `urn:veeam:ReplicaJobSession:${random.guid()}`,
      name: named(this.name, from),
      jobUid: this.uid,
      jobName: this.name,
      jobType: 'Replica',
      ...this.stamps(run, times, vms),
      progress: to === null ? 0 : 100,
      isRetry: run.isRetry ?? false,
      failureMessage: run.failureMessage ?? null,
    };
    this.scenario.replicaJobSessions.push(session);
    vms.forEach((vm, i) => {
      // VM i starts a few seconds after the one before and ends before the job does.
      const start = Math.min(from + (8 + 4 * i) * 1000 + random.int(0, 999), to ?? Number.POSITIVE_INFINITY);
      const end = to === null ? null : Math.max(start, to - (vms.length - i) * 1000 - random.int(0, 999));
      const task: ReplicaTaskSession = {
        uid: `urn:veeam:ReplicaTaskSession:${random.guid()}`,
        jobSessionUid: session.uid,
        ...this.vmPart({ vm, start, end }),
      };
      this.scenario.replicaTaskSessions.push(task);
    });
    this.last = { session, vms };
    return session;
  }

  /** An automatic retry of the last run: IsRetry, same job, only the VMs that failed are processed again. */
  retry({ afterMin = 10, recover = true, vms, ...rest }: RetrySpec = {}): ReplicaJobSession {
    const last = this.last;
    if (!last?.session.endTime) throw new Error(`${this.name}: a retry needs a previous run that ended`);
    const failed = last.vms.filter((vm) => vm.result === 'Failed');
    return this.run({
      durationMin: 5,
      ...rest,
      start: iso(epoch(last.session.endTime) + afterMin * MINUTE),
      isRetry: true,
      vms: vms ?? (recover ? failed.map(({ name, sizeGb }) => ({ name, sizeGb })) : failed),
    });
  }
}

export class CdpPolicy extends SessionSource {
  constructor(source: Source) {
    super('CdpPolicy', source);
  }

  /** Lists the policy in `query?type=CdpPolicy` with this schedule and RPO. */
  schedule({ rpoSeconds = 15, ...spec }: PolicyScheduleSpec = {}): ScheduleRow {
    return this.listSchedule(spec, { rpoSeconds });
  }

  /** One policy session; each VM syncs `syncs` times in a row across it (once, forever, if it never ends). */
  session(run: PolicySessionSpec): CdpReplicaSession {
    const random = this.builder.random;
    const times = span(this.builder, run.start, run.durationMin === undefined ? 1440 : run.durationMin);
    const { from, to } = times;
    const vms = run.vms.map(spec);
    const session: CdpReplicaSession = {
      uid: `urn:veeam:CdpReplicaSession:${random.guid()}`,
      name: named(this.name, from),
      policyUid: this.uid,
      policyName: this.name,
      ...this.stamps(run, times, vms),
      progress: 0, // the published samples show 0 whether running or stopped
      isRetry: run.isRetry ?? false,
      failureMessage: run.failureMessage ?? null,
    };
    this.scenario.cdpReplicaSessions.push(session);
    vms.forEach((vm, i) => {
      const syncs = to === null ? 1 : (vm.syncs ?? 3);
      const part = to === null ? 0 : (to - from) / syncs;
      for (let k = 0; k < syncs; k++) {
        const start = Math.round(from + k * part) + (1 + i) * 1000 + random.int(0, 999);
        const ended =
          to === null ? null : Math.max(start, Math.round(from + (k + 1) * part) - random.int(0, 999));
        const running = vm.running === true && k === syncs - 1;
        const end = running ? null : ended; // drawn all the same, so the seed gives the same GUIDs either way
        const task: CdpReplicaTaskSession = {
          uid: `urn:veeam:CdpReplicaTaskSession:${random.guid()}`,
          policySessionUid: session.uid,
          ...this.vmPart({ vm, start, end }),
          ...(running && { state: vm.state ?? 'InProgress' }),
        };
        this.scenario.cdpReplicaTaskSessions.push(task);
      }
    });
    return session;
  }
}
