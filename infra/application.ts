// Builds the CDK app: settings from context or file, the stack, and cdk-nag's AwsSolutions checks, which make
// `cdk synth` fail on any unacknowledged finding.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type AppProps, CfnRule, Fn, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_SETTINGS_FILE, EXAMPLE_SETTINGS_FILE, loadSettings } from './settings/load.ts';
import { ReplicaAlertsStack } from './stack.ts';

export const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Overrides the handler module; tests point it at a stub so they don't depend on the runtime's progress. */
export const POLLER_ENTRY_CONTEXT = 'replicaAlerts:pollerEntry';

export function createApp(props: AppProps = {}): App {
  const app = new App(props);
  const settings = loadSettings(app.node, ROOT_DIR);
  const entry: unknown = app.node.tryGetContext(POLLER_ENTRY_CONTEXT);
  const stack = new ReplicaAlertsStack(app, settings.stackName, {
    description: 'replica-alerts: alerting for Veeam replica jobs and CDP policies',
    settings,
    pollerEntry:
      typeof entry === 'string' ? join(ROOT_DIR, entry) : join(ROOT_DIR, 'functions/poller/handler.ts'),
    lockFile: join(ROOT_DIR, 'package-lock.json'),
  });
  if (settings.example) guardExample(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/**
 * Without settings the example is synthesised, so a fresh clone's `cdk synth` shows the whole stack. Deploying
 * it would poll em.example.com: a CloudFormation rule that never holds makes `cdk deploy` stop with the fix.
 */
function guardExample(stack: Stack): void {
  process.stderr.write(
    `warning: no settings found; synthesised ${EXAMPLE_SETTINGS_FILE}. Copy it to ${DEFAULT_SETTINGS_FILE} and fill it ` +
      'in before deploying (a deploy of the example stops on purpose).\n',
  );
  new CfnRule(stack, 'ExampleSettingsGuard', {
    assertions: [
      {
        assert: Fn.conditionEquals('example-settings', 'your-settings'),
        assertDescription: `These are the example settings: copy ${EXAMPLE_SETTINGS_FILE} to ${DEFAULT_SETTINGS_FILE}, fill it in, and deploy again.`,
      },
    ],
  });
}
