// Command line: starts the EM simulator on a scenario until Ctrl+C.
//   npx tsx functions/simulator/main.ts [--port 9398] [--host 127.0.0.1] [--tls] [--scenario demo|estate] [--sessions N]
// The account is DEFAULT_USER; its password is EM_PASSWORD when set, else the demo-only default.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoDay, generateEstate } from './scenarios.ts';
import { DEFAULT_USER, startSimulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9398' },
    host: { type: 'string', default: '127.0.0.1' },
    tls: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'demo' },
    sessions: { type: 'string', default: '50000' },
  },
});

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nUsage: main.ts [--port 9398] [--host 127.0.0.1] [--tls] [--scenario demo|estate] [--sessions N]\n`,
  );
  process.exit(2);
}
const integer = (name: string, text: string): number =>
  /^\d+$/.test(text) ? Number(text) : usage(`--${name} must be a whole number, got ${text}`);

const port = integer('port', values.port);
if (values.scenario !== 'demo' && values.scenario !== 'estate')
  usage(`Unknown scenario ${values.scenario}: use demo or estate`);
const scenario =
  values.scenario === 'demo' ? demoDay() : generateEstate({ sessions: integer('sessions', values.sessions) });
const password = process.env.EM_PASSWORD || DEFAULT_USER.password;
const sim = await startSimulator({
  scenario,
  tls: values.tls,
  host: values.host,
  port,
  users: [{ ...DEFAULT_USER, password }],
});

const lines = [
  `EM simulator (${values.scenario} scenario, ${scenario.replicaJobSessions.length} replica job sessions) at ${sim.url}`,
  `  user:     ${DEFAULT_USER.username}`,
  `  password: ${process.env.EM_PASSWORD ? 'from EM_PASSWORD' : `${password} (demo only; set EM_PASSWORD to change)`}`,
];
if (sim.caPem) {
  const caFile = join(tmpdir(), `em-simulator-${new URL(sim.url).port}-ca.pem`);
  writeFileSync(caFile, sim.caPem);
  lines.push(`  CA file:  ${caFile} (trust it instead of turning verification off)`);
}
lines.push('Press Ctrl+C to stop.');
process.stdout.write(`${lines.join('\n')}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.stdout.write('EM simulator stopped.\n'));
  });
}
