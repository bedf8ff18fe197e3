// Rules the stack's settings (infra/settings) and the Lambda's environment (poller/env.ts) both check, written
// once: what synthesises is what the poller then accepts at cold start.

/**
 * A Secrets Manager secret ARN: its name is 1-512 ASCII letters, digits and `/_+=.@-` (AWS's rule for secret
 * names), then the `-` and six characters Secrets Manager appends.
 */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** An EM's short name: in alerts, resource names, the per-EM schedule and the state table's keys. */
export const EM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** EM_NAME in words, for the fixes of both checks. */
export const EM_NAME_RULE = '1-64 letters, digits, dots, dashes or underscores';
