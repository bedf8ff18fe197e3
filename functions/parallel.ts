// Bounded concurrency for a poll's DynamoDB requests and SNS publishes: at most `limit` in flight, started in the
// order given, so that a poll's requests are started (and test/faults numbers its steps) alike in every run.

/** Requests a poll keeps in flight together (the SDK's HTTP agent allows 50 sockets per client). */
export const IN_FLIGHT = 16;

/**
 * Runs `task` on each item, at most `limit` at a time, starting them in order. Once a task fails no other starts;
 * those running are waited for, then the first error is thrown.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<unknown>,
  limit = IN_FLIGHT,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await task(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
