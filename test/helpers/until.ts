/** Polls `predicate` every `everyMs` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, { timeoutMs = 10_000, everyMs = 10 }: { timeoutMs?: number; everyMs?: number } = {}): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
