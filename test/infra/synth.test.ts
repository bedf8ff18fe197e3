// The real app synthesised offline, with cdk-nag's AwsSolutions checks: in-process (fast, with the report) and
// through the pinned CDK CLI as an admin runs it. No AWS account, no credentials, no network.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, POLLER_ENTRY_CONTEXT } from '../../infra/application.ts';
import { SETTINGS_FILE_CONTEXT } from '../../infra/settings/load.ts';
import { ROOT_DIR, SETTINGS_FILE, STUB_HANDLER } from './fixtures/stack.ts';

const run = promisify(execFile);
const outdirs: string[] = [];
const outdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'replica-alerts-synth-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const fixtureContext = { [SETTINGS_FILE_CONTEXT]: SETTINGS_FILE, [POLLER_ENTRY_CONTEXT]: STUB_HANDLER };
/** No credentials or region from the developer's machine may reach the synth, and the CLI calls home for nothing. */
const offline = {
  ...process.env,
  AWS_PROFILE: '',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_REGION: '',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};
/** `cdk synth` as the tests run it: quiet, no notices fetched. */
const synth = (...args: string[]) => ['cdk', 'synth', '--quiet', '--no-notices', ...args];

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: unknown[] }[] }[];
}

function violations(dir: string): string[] {
  const path = join(dir, 'validation-report.json');
  if (!existsSync(path)) return [];
  const report: Report = JSON.parse(readFileSync(path, 'utf8'));
  return report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName));
}

describe('the app with cdk-nag, in-process', () => {
  it('synthesises every feature with no unacknowledged finding', () => {
    const dir = outdir();
    const app = createApp({ outdir: dir, context: fixtureContext });
    expect(() => app.synth()).not.toThrow();
    expect(violations(dir)).toEqual([]);
    expect(existsSync(join(dir, 'ReplicaAlerts.template.json'))).toBe(true);
  });

  it('passes with a VPC too', () => {
    const dir = outdir();
    const settings = JSON.parse(readFileSync(join(ROOT_DIR, SETTINGS_FILE), 'utf8'));
    settings.enterpriseManagers[0].caCertFile = join(ROOT_DIR, 'test/infra/fixtures/ca.pem');
    settings.network = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] };
    const app = createApp({
      outdir: dir,
      context: { replicaAlerts: settings, [POLLER_ENTRY_CONTEXT]: STUB_HANDLER },
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('does fail on a finding, so the checks really run', () => {
    const dir = outdir();
    const app = createApp({ outdir: dir, context: fixtureContext });
    const stack = app.node.findChild('ReplicaAlerts') as Stack;
    new Topic(stack, 'Unencrypted');
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
    expect(violations(dir)).toEqual(['AwsSolutions-SNS3']);
  });
});

describe('npx cdk synth', () => {
  it("asks the internet for nothing on an admin's machine either: cdk.json turns notices and telemetry off", () => {
    const config = JSON.parse(readFileSync(join(ROOT_DIR, 'cdk.json'), 'utf8'));
    // The keys the pinned CLI (aws-cdk 2.1148) reads: the `notices` setting and the `cli-telemetry` context.
    expect(config.notices).toBe(false);
    expect(config.context['cli-telemetry']).toBe(false);
  });

  it('synthesises offline with cdk-nag passing', async () => {
    const dir = outdir();
    const context = Object.entries(fixtureContext).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    const { stderr } = await run('npx', synth('--output', dir, ...context), {
      cwd: ROOT_DIR,
      env: offline,
    });
    expect(stderr).not.toMatch(/AwsSolutions|ERROR/);
    // cdk.json sets every feature flag (recommended values, see docs/deploy.md), so the CLI has nothing to nag.
    expect(stderr).not.toMatch(/feature flags are not configured/);
    const template = JSON.parse(readFileSync(join(dir, 'ReplicaAlerts.template.json'), 'utf8'));
    expect(Object.keys(template.Resources).length).toBeGreaterThan(30);
  }, 90_000);

  it('synthesises the example on a fresh clone, with a rule that stops its deploy', async () => {
    const dir = outdir();
    const { stderr } = await run('npx', synth('--output', dir), {
      cwd: ROOT_DIR,
      env: offline,
    });
    expect(stderr).toMatch(/warning: no settings found; synthesised replica-alerts.settings.example.json/);
    expect(stderr).not.toMatch(/AwsSolutions|ERROR/);
    const template = JSON.parse(readFileSync(join(dir, 'ReplicaAlerts.template.json'), 'utf8'));
    expect(template.Rules.ExampleSettingsGuard.Assertions[0]).toEqual({
      Assert: { 'Fn::Equals': ['example-settings', 'your-settings'] },
      AssertDescription: expect.stringMatching(/^These are the example settings: copy/),
    });
  }, 90_000);

  it('stops with the settings problems and exit code 1', async () => {
    const failure = run(
      'npx',
      synth('--output', outdir(), '-c', `replicaAlerts={"enterpriseManagers": [{"name": "em prod"}]}`),
      { cwd: ROOT_DIR, env: offline },
    );
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('- enterpriseManagers[0].name: give 1-64 letters'),
    });
  }, 90_000);
});
