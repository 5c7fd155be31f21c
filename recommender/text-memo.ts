/**
 * A pure function of a text, remembered for the whole process: emitted policies repeat the same
 * selectors and address blocks in many rules, and the simulators and admission checks meet each
 * of them once per rule. Bounded: past `limit` texts it starts afresh, so made-up texts cannot grow
 * it. Only for results nobody changes (they are shared); a `compute` that throws remembers nothing.
 */
export function memoByText<T>(compute: (text: string) => T, limit: number): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    const hit = memo.get(text);
    if (hit !== undefined || memo.has(text)) return hit as T;
    const value = compute(text);
    if (memo.size >= limit) memo.clear();
    memo.set(text, value);
    return value;
  };
}
