// Exact integer arithmetic for points. Products of money and rates can pass 2^53, so the
// intermediate values are BigInt; results are checked back into safe numbers.

function toSafe(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer out of range: ${value}`);
  return n;
}

/** floor(a × b / c) for non-negative a, b and positive c. */
export function mulDivFloor(a: number, b: number, c: number): number {
  if (c <= 0) throw new RangeError("divisor must be positive");
  if (a < 0 || b < 0) throw new RangeError("mulDivFloor takes non-negative operands");
  return toSafe((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** round(a × b / c), halves rounded up, for non-negative a, b and positive c. */
export function mulDivRoundHalfUp(a: number, b: number, c: number): number {
  if (c <= 0) throw new RangeError("divisor must be positive");
  if (a < 0 || b < 0) throw new RangeError("mulDivRoundHalfUp takes non-negative operands");
  return toSafe((2n * BigInt(a) * BigInt(b) + BigInt(c)) / (2n * BigInt(c)));
}
