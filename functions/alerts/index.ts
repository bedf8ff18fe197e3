// The alert engine's public API.
export { decidePoll, type PollDecision, type PollInput } from './engine.ts';
export type {
  AlertEvent,
  AlertSeverity,
  EventCounts,
  EventKind,
  EventSession,
  EventSubject,
  EventVm,
  Severity,
  SubjectKind,
} from './event.ts';
export {
  DEFAULT_SETTINGS,
  type Settings,
  type SettingsResult,
  type StaleSetting,
  validateSettings,
} from './settings.ts';
export type { PollOutcome } from './source.ts';
export { type JobState, type SourceState, STATE_VERSION, type SubjectState, subjectKey } from './state.ts';
