// A stand-in for functions/poller/handler.ts, so the stack tests bundle something small and stable.
export async function handler(event: { em?: string }): Promise<{ polled: string }> {
  return { polled: event.em ?? 'all' };
}
