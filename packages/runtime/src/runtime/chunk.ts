/** Splits `items` into groups of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  return chunkByWeight(items, size, Number.POSITIVE_INFINITY, () => 0);
}

/**
 * Splits `items` into groups of at most `maxCount` items whose weights add up to at most `maxWeight`
 * (an SQS batch: 10 entries and 256 KiB). An item heavier than `maxWeight` on its own gets a group of its own.
 */
export function chunkByWeight<T>(
  items: readonly T[],
  maxCount: number,
  maxWeight: number,
  weightOf: (item: T) => number,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let weight = 0;
  for (const item of items) {
    const w = weightOf(item);
    if (current.length > 0 && (current.length >= maxCount || weight + w > maxWeight)) {
      groups.push(current);
      current = [];
      weight = 0;
    }
    current.push(item);
    weight += w;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
