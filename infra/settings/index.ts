// The stack's one typed settings object, checked at synth with every problem reported at once (schema.ts).

import { problemLines } from '../../functions/problems.ts';
import { environmentSize } from '../poller/environment.ts';
import { type StackSettings, stackSettingsSchema } from './schema.ts';

export class SettingsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid replica-alerts settings (${source}):\n- ${problems.join('\n- ')}`);
    this.name = 'SettingsError';
  }
}

const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/**
 * Reads and checks settings. `source` names where they came from (for the error); `baseDir` is where relative
 * file paths (caCertFile) resolve.
 */
export function parseSettings(value: unknown, source: string, baseDir: string): StackSettings {
  const parsed = stackSettingsSchema(baseDir).safeParse(value);
  if (!parsed.success) throw new SettingsError(source, problemLines(parsed.error));
  const { $schema: _editorsOnly, ...checked } = parsed.data;
  // The Lambda fills the alerting defaults itself: passed as given, SETTINGS stays as small as the admin wrote it.
  const settings = {
    ...checked,
    alerting: (value as { alerting?: StackSettings['alerting'] }).alerting ?? {},
  };
  checkEnvironmentSize(settings, source);
  return settings;
}

/** Lambda refuses more than 4 KB of environment variables: inline CA bundles are what can overflow it. */
function checkEnvironmentSize({ enterpriseManagers, alerting }: StackSettings, source: string): void {
  const size = environmentSize(enterpriseManagers, alerting);
  if (size <= LAMBDA_ENVIRONMENT_LIMIT) return;
  throw new SettingsError(source, [
    `enterpriseManagers: the poller's environment would be about ${size} bytes, over Lambda's ` +
      `${LAMBDA_ENVIRONMENT_LIMIT}; remove caCert/caCertFile from some EMs and put the bundle in their secret ` +
      '("caCert" key) instead.',
  ]);
}
