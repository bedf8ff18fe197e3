// Small readers for untyped settings JSON: each returns the typed value or undefined, and on a bad value records
// one problem that names the setting's path and the fix. All problems are collected, so an admin fixes them in
// one pass instead of one `cdk synth` per typo. A reader is bound to its value, path and problems once, so each
// read names only the field and its rule.

import { redactUrl } from '../../functions/em/config.ts';
import type { Json } from './types.ts';

export class Problems {
  readonly list: string[] = [];

  add(path: string, fix: string): undefined {
    this.list.push(`${path}: ${fix}`);
    return undefined;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A text setting matches `pattern`; `fix` says what to give instead. */
export interface StringRule {
  pattern: RegExp;
  fix: string;
}

/** `credentials`: where they go instead of the URL. */
export interface UrlRule {
  fix: string;
  credentials: string;
}

/** The keys an object may have, and an example of one for the fix. */
export interface Shape {
  known: readonly string[];
  example: string;
}

export interface IntegerRange {
  min: number;
  max: number;
  fallback: number;
}

/** One setting: its value and path, and where its problems go. */
export class Setting {
  constructor(
    readonly value: unknown,
    readonly path: string,
    readonly problems: Problems,
  ) {}

  problem(fix: string): undefined {
    return this.problems.add(this.path, fix);
  }

  string({ pattern, fix }: StringRule): string | undefined {
    return typeof this.value === 'string' && pattern.test(this.value) ? this.value : this.problem(fix);
  }

  /**
   * An https:// URL with no user name or password in it: settings land in the CloudFormation template, which
   * anyone who may read the stack can see.
   */
  httpsUrl({ fix, credentials }: UrlRule): URL | undefined {
    if (typeof this.value !== 'string') return this.problem(fix);
    let url: URL;
    try {
      url = new URL(this.value);
    } catch {
      return this.problem(`"${redactUrl(this.value)}" is not a URL; ${fix}`);
    }
    if (url.protocol !== 'https:') return this.problem(`use https:// (got ${url.protocol}); ${fix}`);
    if (url.username || url.password) {
      return this.problem(`remove the user name or password from the URL; ${credentials}`);
    }
    return url;
  }

  /** An integer in [min, max]; the fallback when absent, and when invalid (the problem stops the synth). */
  integer({ min, max, fallback }: IntegerRange): number {
    if (this.value === undefined) return fallback;
    if (Number.isInteger(this.value) && (this.value as number) >= min && (this.value as number) <= max) {
      return this.value as number;
    }
    this.problem(`give a whole number from ${min} to ${max} (default ${fallback}).`);
    return fallback;
  }

  /** An object whose keys are all known; a misspelt key is a problem, not a silently ignored setting. */
  object({ known, example }: Shape): Fields | undefined {
    if (!isObject(this.value)) return this.problem(`give an object, e.g. ${example}.`);
    for (const key of Object.keys(this.value)) {
      if (!known.includes(key))
        this.problems.add(`${this.path}.${key}`, `unknown setting; known here: ${known.join(', ')}.`);
    }
    return new Fields(this.value, this.path, this.problems);
  }

  /** A list (absent means empty) whose items are read one by one with their index in the path. */
  list<T>(item: (entry: Setting) => T | undefined): T[] {
    if (this.value === undefined) return [];
    if (!Array.isArray(this.value)) {
      this.problem('give a list (JSON array), e.g. [].');
      return [];
    }
    return this.value.flatMap((entry, i) => {
      const read = item(new Setting(entry, `${this.path}[${i}]`, this.problems));
      return read === undefined ? [] : [read];
    });
  }
}

/** The fields of a settings object; at the root (path "") a field's path is its name alone. */
export class Fields {
  constructor(
    readonly given: Json,
    readonly path: string,
    readonly problems: Problems,
  ) {}

  get(field: string): Setting {
    return new Setting(this.given[field], this.path ? `${this.path}.${field}` : field, this.problems);
  }

  problem(fix: string): undefined {
    return this.problems.add(this.path, fix);
  }

  string(field: string, rule: StringRule): string | undefined {
    return this.get(field).string(rule);
  }

  /** Absent: undefined, with no problem. */
  optionalString(field: string, rule: StringRule): string | undefined {
    return this.given[field] === undefined ? undefined : this.string(field, rule);
  }

  integer(field: string, range: IntegerRange): number {
    return this.get(field).integer(range);
  }

  list<T>(field: string, item: (entry: Setting) => T | undefined): T[] {
    return this.get(field).list(item);
  }

  /** Absent: undefined, with no problem. */
  object(field: string, shape: Shape): Fields | undefined {
    return this.given[field] === undefined ? undefined : this.get(field).object(shape);
  }

  /** A nested object whose fields take their defaults when it is absent (or, with a problem, not an object). */
  section(field: string, shape: Shape): Fields {
    return this.object(field, shape) ?? new Fields({}, this.get(field).path, this.problems);
  }
}

/** The settings object: `settings` in its own problems, while its fields are named alone (`stackName`). */
export function readRoot(value: unknown, shape: Shape, problems: Problems): Fields {
  return new Fields(new Setting(value, 'settings', problems).object(shape)?.given ?? {}, '', problems);
}

/** Each value that repeats an earlier one, as often as it does. */
export function repeats(values: string[]): string[] {
  return values.filter((value, i) => values.indexOf(value) < i);
}
