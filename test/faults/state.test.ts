// Fault matrix, state side: DynamoDB throttling and errors on every write, the process killed after every
// write, and a second poll running alongside (within the lease, and after the first outlived it).
import { matrixSuite } from './matrix.ts';

matrixSuite([
  'dynamo-throttled',
  'dynamo-error-after-write',
  'crash-after-write',
  'concurrent-poll',
  'poll-outlives-lease',
]);
