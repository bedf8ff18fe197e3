// How the poller is bundled, without CDK: the stack's NodejsFunction (poller.ts) and the bundle the benchmarks and
// the bundled-handler test build (test/bench/bundle.ts) both take these esbuild options, so those tests run the
// code the Lambda runs.

/** ESM bundles have no `require`; some CommonJS dependencies call it. */
const REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * esbuild's options, as esbuild's API names them (the CDK passes each as the CLI flag of that name). Beside them
 * both bundle for the node platform and include every dependency, the AWS SDK too (bundleAwsSDK in poller.ts).
 */
export const POLLER_BUNDLING = {
  format: 'esm',
  /** The Lambda's runtime: Node.js 24. */
  target: 'node24',
  minify: true,
  /** A separate index.mjs.map, for readable stack traces with --enable-source-maps. */
  sourcemap: true,
  /** ESM builds of dependencies where they ship one. */
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
} as const;
