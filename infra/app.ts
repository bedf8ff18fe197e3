// `cdk synth` / `cdk deploy` entry (cdk.json: "npx tsx infra/app.ts"). Invalid settings end the run with the
// list of problems and their fixes instead of a stack trace.

import { createApp } from './application.ts';
import { SettingsError } from './settings/index.ts';

try {
  createApp().synth();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
