// Loaded in every test worker (setupFiles): what tests write to stdout and stderr directly, bypassing console.*
// (which the config's onConsoleLog sees), is checked for the canary, and so is every test's name, which
// reporters print (an `it.each` title may format a value holding it). See canary-guard.ts.
import { beforeEach, expect } from 'vitest';
import { noteLeaks, watchWrites } from './canary-guard.ts';

const test = () => {
  const { testPath, currentTestName } = expect.getState();
  return [testPath, currentTestName].filter(Boolean).join(' > ');
};
watchWrites(process.stdout, () => `stdout of ${test()}`);
watchWrites(process.stderr, () => `stderr of ${test()}`);
beforeEach(({ task }) => noteLeaks(`the name of a test in ${task.file.filepath}`, task.fullName));
