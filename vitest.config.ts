import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { noteLeaks } from './test/support/canary-guard.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // One worker per core (vitest's default leaves one idle): the suites wait on servers and child processes as
    // much as they compute. Timed assertions keep wide margins (bounds, not speed: speed is `npm run bench`).
    maxWorkers: availableParallelism(),
    // Suites build a CDK stack or start servers in beforeAll; on a loaded 2-core CI machine that outlasts 10 s.
    hookTimeout: 60_000,
    // The canary password must show in nothing the run prints or leaves: see test/support/canary-guard.ts.
    globalSetup: ['test/support/canary-guard.ts'],
    setupFiles: ['test/support/canary-capture.ts'],
    onConsoleLog(log, type, entity) {
      const test =
        entity?.type === 'module'
          ? entity.moduleId
          : entity && `${entity.module.moduleId} > ${entity.fullName}`;
      noteLeaks(`console ${type} of ${test ?? 'a test'}`, log);
    },
  },
});
