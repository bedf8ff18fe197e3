// No import cycles, type-only imports included: a cycle makes a module's meaning depend on load order and drags
// unrelated code along (checking settings once loaded the CDK Lambda construct). dependency-cruiser reads the
// imports with the TypeScript compiler, so `import type` counts as it should.
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

describe('imports', () => {
  it('form no cycle in functions/, infra/ or test/', async () => {
    const { output } = await cruise(['functions', 'infra', 'test'], {
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '^test/fixtures/' },
      validate: true,
      ruleSet: {
        forbidden: [{ name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } }],
      },
    });
    const result = typeof output === 'string' ? JSON.parse(output) : output;
    const cycles = result.summary.violations.map((v: { from: string; cycle?: { name: string }[] }) =>
      [v.from, ...(v.cycle ?? []).map((step) => step.name)].join(' -> '),
    );
    expect(cycles).toEqual([]);
    expect(result.summary.totalCruised).toBeGreaterThan(150); // it read the tree, not nothing
  }, 120_000);
});
