/** A whole-number option of a bench script, at least `min`; throws naming the option and what it was given. */
export function wholeNumber(name: string, raw: unknown, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be a whole number of at least ${min} (given ${JSON.stringify(raw)})`);
  return value;
}

/** A comma-separated list of whole numbers, each at least `min`. */
export function wholeNumbers(name: string, raw: unknown, min: number): number[] {
  return String(raw)
    .split(',')
    .map((n) => {
      const value = Number(n);
      if (!Number.isInteger(value) || value < min)
        throw new Error(
          `--${name} takes whole numbers of at least ${min}, comma-separated (given ${JSON.stringify(n)})`,
        );
      return value;
    });
}
