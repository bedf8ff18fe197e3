// The EM simulator's public API.
export {
  type BuilderOptions,
  CdpPolicy,
  type CdpVmSpec,
  type PolicyScheduleSpec,
  type PolicySessionSpec,
  ReplicaJob,
  type RetrySpec,
  type RunSpec,
  ScenarioBuilder,
  type ScheduleSpec,
  type Time,
  type Vm,
  type VmSpec,
} from './builder.ts';
export { Clock } from './clock.ts';
export type { EmptyAnswer } from './documents.ts';
export type { Fault, FaultAction, FaultMatch, FaultRule, Faults } from './faults.ts';
export { type BackupServer, emptyScenario, type Scenario, type ScheduleRow } from './scenario.ts';
export {
  demoDay,
  type EstateOptions,
  FAILURE_REASONS,
  generateEstate,
  WARNING_REASONS,
} from './scenarios.ts';
export {
  DEFAULT_USER,
  type RequestRecord,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from './server.ts';
export type { User } from './sessions.ts';
export type { ServerTiming } from './timing.ts';
