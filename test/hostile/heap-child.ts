// Run by heap.test.ts in a child process started with the Lambda's heap cap: one poll of an EM whose failed
// session carries a FailureMessage of `argv[2]` megabytes. Prints one JSON line: what the poll made of it, and
// where the canary password showed in what the poll logged, published or stored (support.ts keeps all of it).
import { ScenarioBuilder } from '../../functions/simulator/index.ts';
import { findCanary } from '../support/canary.ts';
import { pollVia, simulator, stopDynamo, transcript } from './support.ts';

const NOW = '2026-11-25T08:00:00.000Z';
const b = new ScenarioBuilder({ now: NOW, seed: 'heap' });
b.replicaJob('Huge').run({
  start: '2026-11-25T07:00:00Z',
  durationMin: 10,
  failureMessage: 'Why '.repeat((Number(process.argv[2]) * 1024 * 1024) / 4),
  vms: [{ name: 'vm1', result: 'Failed', reason: 'disk full' }],
});
const sim = await simulator(b.build());
const r = await pollVia(sim.url, { requestTimeoutMs: 60_000 }, NOW);
await sim.close();
await stopDynamo();
process.stdout.write(
  `${JSON.stringify({
    status: r.summary?.status,
    error: r.summary?.error?.kind ?? String(r.thrown ?? ''),
    events: r.events.length,
    failureMessage: r.events[0]?.session?.failureMessage?.slice(-60),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    transcriptLines: transcript.length,
    leaks: findCanary(transcript.join('\n')),
  })}\n`,
);
