// The poller's size: memory, timeout and heap cap, without CDK, so settings checks and benchmarks read them
// without loading the Lambda constructs.

import { MINUTE } from '../../functions/duration.ts';

/**
 * Sized by `npm run bench` (docs/benchmarks.md): a first poll of 50,000 sessions peaks near 200 MB, with the heap
 * capped as in a 256 MB function and as deployed here, and takes 25 to 45 s at 20 ms EM latency on two cores; a
 * steady poll takes under a second. 512 MB leaves headroom and buys CPU (Lambda scales it with memory) for XML
 * parsing; 5 minutes covers an EM that answers slowly. Revisit both together when the benchmark changes.
 */
export const MEMORY_MB = 512;
export const TIMEOUT_MS = 5 * MINUTE;

/** Three quarters of the function's memory: room for buffers, sockets and the runtime beside the heap. */
export const HEAP_MB = Math.floor((MEMORY_MB * 3) / 4);
