// How the benchmark's table writes its figures: sizes, times, counts, and PASS or MISS against a goal.

export const MB = 1024 * 1024;
export const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
export const ms = (value: number) =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
export const n = (value: number) => value.toLocaleString('en-US');
export const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export type Row = [figure: string, measured: string, goal: string, result: string];

/** `719 (DeleteItem 1, GetItem 284, ...)`: the total, then each name (without `Command`) by name. */
export function counted(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return `${n(total)} (${entries.map(([name, count]) => `${name.replace(/Command$/, '')} ${n(count)}`).join(', ')})`;
}
