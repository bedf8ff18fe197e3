// One dynalite server for the tests of the enclosing `describe` block: started before them, closed after.

import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../functions/state/local.ts';

/** Call inside a `describe`; `endpoint` is readable from its hooks and tests on. */
export function suiteDynalite(): Pick<LocalDynamo, 'endpoint'> {
  let local: LocalDynamo | undefined;
  beforeAll(async () => {
    local = await startDynalite();
  });
  afterAll(() => local?.close());
  return {
    get endpoint() {
      if (!local) throw new Error('dynalite starts in beforeAll: read its endpoint from a hook or a test.');
      return local.endpoint;
    },
  };
}
