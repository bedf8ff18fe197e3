// Builds the stack from settings JSON for assertions: the stub handler, a fixed dummy environment, no cdk-nag
// (the synth suite runs that), no AWS account.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseSettings } from '../../infra/settings/index.ts';
import { ReplicaAlertsStack } from '../../infra/stack.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ROOT_DIR = join(FIXTURES_DIR, '..', '..');
export const STUB_HANDLER = 'test/infra-fixtures/handler.ts';
/** A stub that uses the AWS SDK, to see whether the bundle carries it. */
export const SDK_HANDLER = 'test/infra-fixtures/sdk-handler.ts';
export const SETTINGS_FILE = 'test/infra-fixtures/settings.json';

/** A fresh copy of the fixture settings (every kind of subscription, two EMs) to modify per test. */
// biome-ignore lint/suspicious/noExplicitAny: tests edit this JSON freely, as an admin edits the file.
export function fixtureSettings(): any {
  return JSON.parse(readFileSync(join(ROOT_DIR, SETTINGS_FILE), 'utf8'));
}

export function minimalSettings(): Record<string, unknown> {
  return { enterpriseManagers: [{ name: 'em-prod', url: 'https://em.example.com:9398/api/' }] };
}

/** The stack synthesised from settings JSON, with its assembly directory (bundled assets are under it). */
export function synthStack(raw: unknown, entry = STUB_HANDLER): { template: Template; outdir: string } {
  const app = new App();
  const stack = new ReplicaAlertsStack(app, 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
    settings: parseSettings(raw, 'test', FIXTURES_DIR),
    pollerEntry: join(ROOT_DIR, entry),
    lockFile: join(ROOT_DIR, 'package-lock.json'),
  });
  return { template: Template.fromStack(stack), outdir: app.outdir };
}

export function synthTemplate(raw: unknown): Template {
  return synthStack(raw).template;
}
