// Which subjects may alert: include/exclude globs over names, and muted names or uids.

import type { Settings } from './settings.ts';

/** A case-insensitive, anchored glob: `*` is any run of characters, `?` any one character. */
export function globToRegExp(glob: string): RegExp {
  const body = Array.from(glob, (c) =>
    c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
  );
  return new RegExp(`^${body.join('')}$`, 'isu');
}

export type SubjectFilter = (subject: { name: string; uid: string }) => boolean;

/** True for a job or policy that may alert under these settings. */
export function subjectFilter(settings: Settings): SubjectFilter {
  const include = settings.include.map(globToRegExp);
  const exclude = settings.exclude.map(globToRegExp);
  const muted = isMuted(settings);
  return (subject) =>
    (include.length === 0 || include.some((re) => re.test(subject.name))) &&
    !exclude.some((re) => re.test(subject.name)) &&
    !muted(subject);
}

/** True when a name or uid is listed in `muted` (exact, case-insensitive). */
export function isMuted(settings: Settings): SubjectFilter {
  const muted = new Set(settings.muted.map((m) => m.toLowerCase()));
  return (subject) => muted.has(subject.name.toLowerCase()) || muted.has(subject.uid.toLowerCase());
}
