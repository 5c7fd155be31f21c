/** `items` in runs of at most `size`, in order (none for no items): what an API's `maxItems` lets one list hold. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
