// Fault injection: rules that match requests and make the simulated EM misbehave the ways real ones and the
// networks in front of them do, so the client's retries, timeouts and re-logons can be tested.

export type FaultAction =
  /** Answer normally, after a delay. */
  | { kind: 'latency'; ms: number }
  /** Destroy the connection before answering. */
  | { kind: 'reset' }
  /** Never answer (until the simulator closes): for client timeouts. */
  | { kind: 'hang' }
  /** Answer this status with an `Error` body (`message` is its Message); 400 refuses, e.g. a filter shape. */
  | { kind: 'status'; status: 400 | 500 | 502 | 503 | 504; message?: string }
  /** Invalidate the caller's token and answer 401: a session expiring mid-paging. */
  | { kind: 'expire-token' }
  /** Answer 200 with an HTML proxy page instead of XML or JSON. */
  | { kind: 'malformed' }
  /** Send the headers and half the body, then destroy the connection. */
  | { kind: 'truncate' }
  /** Run `apply` (change the EM's data or timing), then answer normally: rows collected between two pages. */
  | { kind: 'mutate'; apply: () => void };

export interface FaultMatch {
  /** HTTP method, any case. */
  method?: string;
  /** A path prefix (`/api/query`) or a pattern tested against the path. */
  path?: string | RegExp;
  /** The `type` parameter of a query, any case. */
  queryType?: string;
  /** The `page` parameter (absent counts as page 1). */
  page?: number;
  /** Tested against the decoded `filter` parameter; a request without one does not match. */
  filter?: RegExp;
  /** Act from the nth matching request on (1-based; default 1). */
  nth?: number;
  /** How many times to act (default 1; `Infinity` for always). */
  times?: number;
}

export type FaultRule = FaultMatch & FaultAction;

/** A rule in force; its counters let a test check that the fault was hit. */
export interface Fault {
  readonly rule: FaultRule;
  /** Requests that matched so far. */
  readonly matched: number;
  /** Times the fault acted so far. */
  readonly fired: number;
}

interface ActiveFault {
  rule: FaultRule;
  matched: number;
  fired: number;
}

export class Faults {
  private rules: ActiveFault[] = [];

  add(rule: FaultRule): Fault {
    const fault = { rule, matched: 0, fired: 0 };
    this.rules.push(fault);
    return fault;
  }

  clear(): void {
    this.rules = [];
  }

  /** Counts the request against every matching rule and returns the first rule due to act, if any. */
  take(method: string, url: URL): FaultRule | undefined {
    let due: FaultRule | undefined;
    for (const fault of this.rules) {
      if (!matches(fault.rule, method, url)) continue;
      fault.matched++;
      const { nth = 1, times = 1 } = fault.rule;
      if (!due && fault.matched >= nth && fault.fired < times) {
        fault.fired++;
        due = fault.rule;
      }
    }
    return due;
  }
}

function matches(rule: FaultMatch, method: string, url: URL): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (typeof rule.path === 'string' && !url.pathname.startsWith(rule.path)) return false;
  if (rule.path instanceof RegExp && !rule.path.test(url.pathname)) return false;
  const type = url.searchParams.get('type');
  if (rule.queryType !== undefined && type?.toLowerCase() !== rule.queryType.toLowerCase()) return false;
  if (rule.filter !== undefined) {
    const filter = url.searchParams.get('filter');
    rule.filter.lastIndex = 0; // a /g or /y pattern would otherwise carry state from the last request
    if (filter === null || !rule.filter.test(filter)) return false;
  }
  return rule.page === undefined || Number(url.searchParams.get('page') ?? 1) === rule.page;
}
