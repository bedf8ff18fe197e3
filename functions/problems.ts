// What the settings schemas (Zod) share so that their problems read alike, wherever they are checked: each problem
// is one line naming the setting's path (`subscriptions.email[1]`) and what to give instead. Each schema words its
// own fixes (Zod's `error`); this adds what a single field cannot know: which keys its object does know.

import * as z from 'zod';

/** One problem: where, and what to give instead. */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

/** Keys a setting must never have (credentials): named with their own fix, and not listed as known. */
const forbiddenKeys = new WeakSet<z.core.$ZodType>();

export function forbidden(fix: string) {
  const schema = z
    .never({ error: fix })
    .optional()
    .meta({ description: `Not allowed: ${fix}` });
  forbiddenKeys.add(schema);
  return schema;
}

/**
 * An object whose unknown keys are problems, each naming the keys that are known (a misspelt key must not be a
 * silently ignored setting); `fix` says what to give when the value is not an object at all.
 */
export function settingsObject<Shape extends z.ZodRawShape>(shape: Shape, fix: string) {
  // `$schema` is for editors only; it is accepted where the schema declares it, but never suggested.
  const known = Object.entries(shape)
    .filter(([key, schema]) => !key.startsWith('$') && !forbiddenKeys.has(schema))
    .map(([key]) => key);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys, known) : fix),
  });
}

/** A text setting that matches `pattern`; any problem with it (absent, not text, no match) reads as `fix`. */
export function text(pattern: RegExp, fix: string) {
  return z.string({ error: fix }).regex(pattern, fix);
}

function unknownKeys(keys: string[], known: string[]): string {
  const near = keys.length === 1 && keys[0] ? nearest(keys[0], known) : undefined;
  return `unknown setting; known settings are ${known.join(', ')}.${near ? ` Did you mean "${near}"?` : ''}`;
}

/** The known key a typo most likely meant: the same but for case, `-` or `_` (`retry-hold`), or a prefix. */
function nearest(key: string, known: string[]): string | undefined {
  const plain = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
  const given = plain(key);
  const same = (name: string) => {
    const other = plain(name);
    const [short, long] = other.length < given.length ? [other, given] : [given, other];
    return short === long || (short.length >= 3 && long.startsWith(short));
  };
  return known.find(same);
}

/**
 * Each problem in `error` on its own: an unknown key at the key, a bad record key at that key, and of a value
 * that fits none of a union's forms, the problems with the one form of its type (`"ops"` is no e-mail address,
 * rather than neither an address nor an object).
 */
export function problemsOf(error: z.ZodError): Problem[] {
  const found: Problem[] = [];
  const add = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) found.push({ path: [...path, key], message: issue.message });
      } else if (issue.code === 'invalid_key' || issue.code === 'invalid_element') add(issue.issues, path);
      else if (issue.code === 'invalid_union') {
        const forms = issue.errors.filter((form) => !form.every(isWrongType));
        if (forms.length === 1 && forms[0]) add(forms[0], path);
        else found.push({ path, message: issue.message });
      } else found.push({ path, message: issue.message });
    }
  };
  add(error.issues, []);
  return found;
}

const isWrongType = (issue: z.core.$ZodIssue) => issue.code === 'invalid_type' && issue.path.length === 0;

/** `path: fix` for each problem, once each, in the schema's order; the object itself is `root`. */
export function problemLines(error: z.ZodError, root = 'settings'): string[] {
  const lines = problemsOf(error).map(({ path, message }) => `${pathText(path) || root}: ${message}`);
  return [...new Set(lines)];
}

/** `enterpriseManagers[0].url`, `staleOverrides["Weekly DR"]`, `"retry-hold"`: keys as JavaScript writes them. */
export function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      const quoted = JSON.stringify(name);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return i === 0 ? quoted : `[${quoted}]`;
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

/** A list check: each value of `key` that repeats an earlier one is a problem at the list, worded by `problem`. */
export function noRepeats<T>(key: (item: T) => string, problem: (repeated: string) => string) {
  return (items: T[], ctx: z.RefinementCtx<T[]>) => {
    const keys = items.map(key);
    for (const repeated of keys.filter((value, i) => keys.indexOf(value) < i))
      ctx.addIssue({ code: 'custom', message: problem(repeated) });
  };
}
