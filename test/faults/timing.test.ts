// Fault matrix, a real EM's timing: a backup server collected late and caught up at once, the EM's collection
// period with task sessions a collection later, a backup server's clock off all day, or stepping ahead during it.
import { matrixSuite } from './matrix.ts';

matrixSuite([
  'em-collection-lag',
  'em-collection-period',
  'backup-server-clock-ahead',
  'backup-server-clock-behind',
  'backup-server-clock-steps-ahead',
]);
