// Builds the CDK app: settings from context or file, the stack, and cdk-nag's AwsSolutions checks, which make
// `cdk synth` fail on any unacknowledged finding.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadSettings } from './settings/load.ts';
import { ReplicaAlertsStack } from './stack.ts';

export const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Overrides the handler module; tests point it at a stub so they don't depend on the runtime's progress. */
export const POLLER_ENTRY_CONTEXT = 'replicaAlerts:pollerEntry';

export function createApp(props: AppProps = {}): App {
  const app = new App(props);
  const settings = loadSettings(app.node, ROOT_DIR);
  const entry: unknown = app.node.tryGetContext(POLLER_ENTRY_CONTEXT);
  new ReplicaAlertsStack(app, settings.stackName, {
    description: 'replica-alerts: alerting for Veeam replica jobs and CDP policies',
    settings,
    pollerEntry:
      typeof entry === 'string' ? join(ROOT_DIR, entry) : join(ROOT_DIR, 'functions/poller/handler.ts'),
    lockFile: join(ROOT_DIR, 'package-lock.json'),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
