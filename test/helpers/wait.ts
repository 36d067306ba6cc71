// Waiting for an event instead of sleeping a fixed time: the one poll loop of the tests.

/**
 * Polls `probe` until it gives something truthy and returns that; fails after `timeoutMs`, saying
 * `what`. `everyMs` is the pause between probes (shorter for a cheap in-memory state that may be brief).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  timeoutMs = 15_000,
  what = 'condition',
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
