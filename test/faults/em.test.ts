// Fault matrix, EM side: every way the Enterprise Manager or the network in front of it fails, at every request.
import { matrixSuite } from './matrix.ts';

matrixSuite([
  'em-refused',
  'em-reset',
  'em-down',
  'em-timeout',
  'em-truncated',
  'em-500',
  'em-503',
  'em-malformed',
  'em-401',
  'em-401-page2',
]);
