// EventBridge offline, as much as the incident tests need: event-pattern matching (exact values, the only kind our
// rules use) and the `<...>` substitution of rule input transformers and pipe input templates.
//
// Substitution, from AWS's documentation and from LocalStack's snapshots recorded against AWS
// (tests/aws/services/events/test_events_inputs.snapshot.json in localstack/localstack):
// - a variable standing as a JSON value (`"k": <v>`) becomes the value's JSON: a string gets its quotes, an object
//   or array stays JSON ("Input transform examples", "Simple JSON"; Pipes: "EventBridge Pipes automatically adds
//   quotes to string variable values ... does not add quotes to variables that represent JSON objects or arrays");
// - inside a JSON string (`"k": "text <v>"`) a string goes in without its quotes, a number or boolean as written,
//   and an object or array loses its quotes (`{acc_id:0a787ecb-4015,sf_id:baz}`, recorded against AWS);
// - a path that finds nothing gives the empty string (recorded against AWS: `"command": <command>` became
//   `"command": ""`);
// - "EventBridge doesn't escape values extracted by Input Path": a value goes in as it is written in the event's
//   JSON, its escapes (`\"`, `\n`, `\\`) included, and is not escaped a second time. AWS shows no example of a
//   quote inside a string embedded in a longer string; this model keeps the event's escaping there too, the one
//   reading under which the documented "minified and escaped" JSON is valid (docs/incidents.md: check it in the
//   EventBridge sandbox).

/** Matches EventBridge patterns of exact values: every field of the pattern present in the event, with one of the listed values. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, condition]) => {
    const value = event[key];
    if (!Array.isArray(condition)) return isObject(condition) && matchesPattern(condition, value);
    const candidates: unknown[] = Array.isArray(value) ? value : [value];
    return condition.some((allowed) => {
      if (isObject(allowed)) throw new Error(`pattern operator not emulated: ${JSON.stringify(allowed)}`);
      return value !== undefined && candidates.some((candidate) => candidate === allowed);
    });
  });
}

/** What a `$.a.b` path (dot notation: all our templates and CDK use) finds in `root`, or undefined. */
export function jsonPath(path: string, root: unknown): unknown {
  if (!path.startsWith('$.')) throw new Error(`JSON path not emulated: ${path}`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), root);
}

/** A rule target's input: the transformer's template with each variable's value from the event. */
export function transformRuleInput(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: unknown,
): string {
  return substitute(transformer.InputTemplate, (name) => {
    const path = transformer.InputPathsMap[name];
    // EventBridge refuses such a target (PutTargets), so no event ever meets one.
    if (path === undefined) throw new Error(`<${name}> is not in InputPathsMap`);
    return jsonPath(path, event);
  });
}

/**
 * A pipe's target input from an SQS record. Pipes parses a JSON `body` first ("Implicit body data parsing"), so
 * `<$.body.key>` reaches into it; the template's variables are JSON paths themselves.
 */
export function transformPipeInput(template: string, record: { body: string }): string {
  const parsed = { ...record, body: parseOrKeep(record.body) };
  return substitute(template, (name) => jsonPath(name, parsed));
}

/** A variable's name: an InputPathsMap key, a JSON path (pipes) or a predefined `aws.` variable. */
const VARIABLE = /^[\w.$-]+$/;

function substitute(template: string, lookup: (name: string) => unknown): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    const close = c === '<' ? template.indexOf('>', i) : -1;
    const name = template.slice(i + 1, close);
    if (close > i && VARIABLE.test(name)) {
      const found = lookup(name);
      const value = found === undefined ? '' : found;
      out += inString ? insideString(value) : JSON.stringify(value);
      i = close;
      continue;
    }
    if (inString && c === '\\') {
      out += c + template.charAt(i + 1);
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
  }
  return out;
}

/** A value inside a JSON string of the template. */
function insideString(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value).slice(1, -1);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value).replaceAll('"', '');
  return String(value);
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
