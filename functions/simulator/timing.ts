// Per-backup-server timing: a real EM shows each backup server's sessions late (collection jobs, a server it could
// not reach) and stamped by that server's own clock (em-rest-api.md, "Timing"). Scenario rows stay in true time
// (the simulator clock is the EM's); a View decides which of them the EM shows at a moment, and how stamped.

import type { EntityType, EntityTypes } from '../em/model.ts';
import { visibleAt } from './visibility.ts';

export interface ServerTiming {
  /**
   * The backup server's clock minus the EM's: every time it stamps (CreationTime/EndTime of its sessions and task
   * sessions) is shifted by this; positive = in the future.
   */
  clockOffsetMs?: number;
  /**
   * The moment (true time) the server's clock stepped by `clockOffsetMs` (an NTP correction): times before it stay
   * as they were stamped, as the EM keeps what it collected. Absent: the clock was off all along.
   */
  clockStepAt?: string;
  /**
   * The EM shows this server's sessions as they were this long ago (a collection that lags; a backlog caught up
   * later when it is set back to 0).
   */
  collectionDelayMs?: number;
  /**
   * EM's periodic collection job (e.g. 15 min): the server's sessions are shown as they were at the last
   * collection, i.e. at floor((now - collectionDelayMs) / period) * period.
   */
  collectionPeriodMs?: number;
  /**
   * Task sessions of this server are collected this much later than their sessions: a finished session shows
   * before its task sessions.
   */
  taskDelayMs?: number;
}

/** What the EM shows at one moment. */
export interface View {
  /** The row as the EM shows it (times on its server's clock), or null when the EM has none yet. */
  show<K extends EntityType>(type: K, row: EntityTypes[K]): EntityTypes[K] | null;
}

/** One server's timing at one moment: the true times its sessions and tasks are seen as of. */
interface Resolved {
  sessions: string;
  tasks: string;
  offsetMs: number;
  /** Times (true) from which the offset applies ('' for all). */
  stepAt: string;
}

const isTask = (type: EntityType): boolean => type.endsWith('TaskSession');
const shift = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

export class Timings {
  /** By backup server name, exactly as the rows carry it; servers on time have no entry (the fast path). */
  private readonly byName = new Map<
    string,
    Required<Omit<ServerTiming, 'clockStepAt'>> & { stepAt: string }
  >();

  /** Replaces the server's timing; `{}` puts it back on time. */
  set(name: string, timing: ServerTiming): void {
    const { clockOffsetMs = 0, collectionDelayMs = 0, collectionPeriodMs = 0, taskDelayMs = 0 } = timing;
    const stepAt =
      timing.clockStepAt === undefined ? '' : new Date(Date.parse(timing.clockStepAt)).toISOString();
    if (!Number.isFinite(clockOffsetMs))
      throw new RangeError(`clockOffsetMs must be finite: ${clockOffsetMs}`);
    for (const [key, value] of Object.entries({ collectionDelayMs, collectionPeriodMs, taskDelayMs }))
      if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`${key} must be a finite number of ms, 0 or more: ${value}`);
    if (clockOffsetMs || collectionDelayMs || collectionPeriodMs || taskDelayMs)
      this.byName.set(name, { clockOffsetMs, collectionDelayMs, collectionPeriodMs, taskDelayMs, stepAt });
    else this.byName.delete(name);
  }

  /** What the EM shows when its clock reads `now`. */
  viewAt(now: string): View {
    if (this.byName.size === 0) return { show: (type, row) => visibleAt(type, row, now) };
    const nowMs = Date.parse(now);
    const servers = new Map<string, Resolved>();
    for (const [name, t] of this.byName) {
      const lagged = nowMs - t.collectionDelayMs;
      const seen = t.collectionPeriodMs
        ? Math.floor(lagged / t.collectionPeriodMs) * t.collectionPeriodMs
        : lagged;
      servers.set(name, {
        sessions: new Date(seen).toISOString(),
        tasks: new Date(seen - t.taskDelayMs).toISOString(),
        offsetMs: t.clockOffsetMs,
        stepAt: t.stepAt,
      });
    }
    return {
      show: (type, row) => {
        const server = row.backupServerName === null ? undefined : servers.get(row.backupServerName);
        if (!server) return visibleAt(type, row, now);
        const shown = visibleAt(type, row, isTask(type) ? server.tasks : server.sessions);
        if (!shown || server.offsetMs === 0) return shown;
        const stamp = (time: string) => (time >= server.stepAt ? shift(time, server.offsetMs) : time);
        return {
          ...shown,
          creationTime: stamp(shown.creationTime),
          endTime: shown.endTime === null ? null : stamp(shown.endTime),
        };
      },
    };
  }
}
