// What PagerDuty's Events API v2 would refuse in a request body, from its documentation
// (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ and the OpenAPI schema in PagerDuty/api-schema,
// reference/events-v2/openapiv3.json): limits it enforces with a 400, which EventBridge does not retry.

export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

/** The problems PagerDuty would report; `routing_key` must be absent (the connection adds it). */
// biome-ignore lint/suspicious/noExplicitAny: a request body as PagerDuty receives it, checked field by field.
export function pagerDutyProblems(body: any): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(body.routing_key === undefined, 'routing_key must come from the connection, not the template');
  check(ACTIONS.includes(body.event_action), `event_action ${body.event_action}`);
  check(text(body.dedup_key, MAX_DEDUP_KEY), `dedup_key ${body.dedup_key}`);
  if (body.event_action !== 'trigger') return problems;
  const payload = body.payload ?? {};
  check(text(payload.summary, MAX_SUMMARY), `payload.summary of ${[...String(payload.summary)].length}`);
  check(text(payload.source), `payload.source ${payload.source}`);
  check(PAGERDUTY_SEVERITIES.includes(payload.severity), `payload.severity ${payload.severity}`);
  for (const key of ['component', 'group', 'class']) {
    check(payload[key] === undefined || typeof payload[key] === 'string', `payload.${key} ${payload[key]}`);
  }
  check(!Number.isNaN(Date.parse(payload.timestamp)), `payload.timestamp ${payload.timestamp}`);
  check(typeof payload.custom_details === 'object', 'payload.custom_details');
  return problems;
}

/** A non-empty string of at most `max` characters. */
function text(value: unknown, max = Number.POSITIVE_INFINITY): boolean {
  return typeof value === 'string' && value.length > 0 && [...value].length <= max;
}
