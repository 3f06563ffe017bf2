/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The mean of the faster half (the ⌈n/2⌉ smallest values); NaN for none. For times that interference only ever
 * lengthens, it keeps what the code itself costs and drops the slow tail, and it moves less from run to run than the
 * median: over 200 draws of 25 of 100 rounds, a load ratio's spread was 0.009–0.010 against the median's 0.013–0.017.
 */
export function fasterHalfMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const faster = [...values].sort((a, b) => a - b).slice(0, Math.ceil(values.length / 2));
  return faster.reduce((sum, value) => sum + value, 0) / faster.length;
}
