// The match rules of hints: plain text, not regular expressions. A rule is alternatives separated by `|`; each
// alternative is phrases separated by `.*` that must all occur, in that order. Text and rule are compared lower-cased
// with every run of white space read as one space (Veeam's texts wrap and double spaces).
//
// Why not regular expressions: a local entry's pattern is typed by an admin and a Reason can be 100 kB of anything,
// so a backtracking engine (V8's) would need every pattern proven free of nested quantifiers, and a check that
// misses one case hangs the poller. Phrases found with indexOf cost at most (text length x phrase length) per
// phrase, searched left to right without backtracking: bounded on any input, no dependency (re2js would also be
// linear, but the catalogue needs nothing a phrase list cannot say). Regex syntax in a pattern is refused, not
// silently read as text, so a pattern written for a regex engine is caught by settings validation.

/** A compiled rule: alternatives, each a list of phrases in order. */
export type CompiledPattern = readonly (readonly string[])[];

/** Characters that mean something to a regex engine and would be taken literally here. */
const REGEX_SYNTAX = /[\\()[\]{}+?^$]/;
/** A phrase this short would match nearly any message. */
const MIN_PHRASE = 4;
export const MAX_PATTERN_CHARS = 1000;

/** Lower case, white space runs as one space, typographic apostrophes as `'`. */
export const normalize = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ');

/** Why `pattern` cannot be used, or null when it can. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_CHARS) return `a pattern has at most ${MAX_PATTERN_CHARS} characters.`;
  const syntax = REGEX_SYNTAX.exec(pattern);
  if (syntax)
    return `"${syntax[0]}" is regex syntax; patterns are plain text: "|" between alternatives, ".*" for any text between phrases, e.g. "failed to freeze guest.*wait timeout".`;
  for (const alternative of pattern.split('|')) {
    const phrases = alternative.split('.*').map((p) => normalize(p).trim());
    if (phrases.some((p) => p.length < MIN_PHRASE))
      return `each phrase between "|" and ".*" needs at least ${MIN_PHRASE} characters, e.g. "failed to prepare guest for freeze".`;
  }
  return null;
}

/** The rule as phrases; `pattern` must have no problem (patternProblem). */
export function compile(pattern: string): CompiledPattern {
  return pattern.split('|').map((alternative) => alternative.split('.*').map((p) => normalize(p).trim()));
}

/** True when every phrase of one alternative occurs in `normalized` (normalize), in order. */
export function matches(rule: CompiledPattern, normalized: string): boolean {
  return rule.some((phrases) => {
    let from = 0;
    for (const phrase of phrases) {
      const at = normalized.indexOf(phrase, from);
      if (at < 0) return false;
      from = at + phrase.length;
    }
    return true;
  });
}
