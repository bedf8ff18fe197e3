// The poller's metric contract, shared with the stack: the handler emits these (Powertools Metrics, as EMF log
// lines), the stack's heartbeat alarm watches them and the function's environment names them. One definition,
// so a rename cannot leave the alarm watching a metric nobody writes (it would then fire forever).

export const METRICS_NAMESPACE = 'ReplicaAlerts';
/** Powertools adds it to every metric as the `service` dimension. */
export const SERVICE_NAME = 'replica-alerts';
export const SERVICE_DIMENSIONS = { service: SERVICE_NAME };
/** One per finished poll invocation; its absence is the watchdog's "poller stopped" alarm. */
export const HEARTBEAT_METRIC = 'Heartbeat';
/** SNS publishes that failed after the SDK's retries (retried at the next poll); the stack alarms on any. */
export const PUBLISH_FAILURES_METRIC = 'PublishFailures';
