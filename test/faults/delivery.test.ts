// Fault matrix, delivery and time: SNS throttling and errors on every publish, an entry of a batch refused, an
// answer lost after SNS accepted, the process killed after every publish; the poller's and the EM's clocks stepping
// back and jumping ahead.
import { matrixSuite } from './matrix.ts';

matrixSuite([
  'sns-throttled',
  'sns-error',
  'sns-batch-entry-refused',
  'sns-lost-answer',
  'crash-after-publish',
  'poller-clock-back',
  'poller-clock-ahead',
  'em-clock-back',
]);
