#!/usr/bin/env node
// The `replica-alerts` command. The CLI is TypeScript, run through tsx as in development.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on Node 20 (which the CLI still supports; engines) about a future Node 22 requirement: noise
// on a command line.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning'))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
register();
const { main } = await import('../functions/cli/main.ts');
const { processIo } = await import('../functions/cli/io.ts');
process.exitCode = await main(process.argv.slice(2), processIo);
