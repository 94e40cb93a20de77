/**
 * Deterministic fixed-point math on bigint: integer square root, sin/cos/asin and log10. Used for
 * every number that feeds validation or scoring, so results are bit-identical on every machine and
 * every V8 build (JS `Math.sin`/`Math.log10` are only "implementation-approximated" by ECMA-262;
 * V8 has changed them before, e.g. `Math.pow` in 2019). Only +, -, *, / and shifts on integers
 * are used here, and every division truncates toward zero (bigint semantics).
 */

/** Angles and trigonometric values are scaled by 10^24: ~80 bits, far finer than a millimetre on Earth. */
export const TRIG_SCALE = 10n ** 24n;

/** π to 40 digits, truncated to {@link TRIG_SCALE}. */
export const PI_FIXED = 3_141592653589793238462643n;
const HALF_PI_FIXED = PI_FIXED / 2n;

/** 1/√2 scaled, the switch-over point of {@link asinFixed}. */
const INV_SQRT2_FIXED = 707106781186547524400844n;

/** floor(√n) for n ≥ 0 (Newton's method on integers). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("isqrt of a negative number");
  if (n < 2n) return n;
  let x = 1n << ((BigInt(n.toString(2).length) + 1n) / 2n);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sin(x) for x (radians × TRIG_SCALE) in [-π, π], by its Taylor series until a term truncates to 0. */
export function sinFixed(x: bigint): bigint {
  const x2 = (x * x) / TRIG_SCALE;
  let term = x;
  let sum = x;
  for (let n = 1n; term !== 0n; n++) {
    term = -(term * x2) / TRIG_SCALE / (2n * n * (2n * n + 1n));
    sum += term;
  }
  return sum;
}

/** cos(x) for x (radians × TRIG_SCALE) in [-π, π], by its Taylor series. */
export function cosFixed(x: bigint): bigint {
  const x2 = (x * x) / TRIG_SCALE;
  let term = TRIG_SCALE;
  let sum = TRIG_SCALE;
  for (let n = 1n; term !== 0n; n++) {
    term = -(term * x2) / TRIG_SCALE / ((2n * n - 1n) * (2n * n));
    sum += term;
  }
  return sum;
}

/**
 * asin(x) for x (× TRIG_SCALE) in [0, 1]. Below 1/√2 the Maclaurin series
 * Σ (2n)!/(4^n (n!)^2 (2n+1)) x^(2n+1) converges at least as fast as 2^-n; above it we use
 * asin(x) = π/2 − asin(√(1−x²)), whose argument is again below 1/√2.
 */
export function asinFixed(x: bigint): bigint {
  if (x < 0n || x > TRIG_SCALE) throw new RangeError("asinFixed expects x in [0, 1]");
  if (x > INV_SQRT2_FIXED) {
    const complement = isqrt(TRIG_SCALE * TRIG_SCALE - x * x);
    return HALF_PI_FIXED - asinSeries(complement);
  }
  return asinSeries(x);
}

function asinSeries(x: bigint): bigint {
  const x2 = (x * x) / TRIG_SCALE;
  let power = x; // (2n)!/(4^n (n!)^2) · x^(2n+1)
  let sum = x;
  for (let n = 1n; power !== 0n; n++) {
    power = (power * x2 * (2n * n - 1n)) / TRIG_SCALE / (2n * n);
    sum += power / (2n * n + 1n);
  }
  return sum;
}

/** log10 results are scaled by 10^30. */
export const LOG_SCALE = 10n ** 30n;
/** log10(2) to 30 decimals (truncated), from the 60-digit value 0.30102999566398119521373889472449302676... */
const LOG10_2_FIXED = 301029995663981195213738894724n;
/** Fractional bits of the binary logarithm; 2^-80 ≈ 8e-25, far below the centi-dB output step. */
const LOG2_FRACTION_BITS = 80n;
/** Working precision (bits) of the mantissa while squaring. */
const MANTISSA_BITS = 160n;

/**
 * log10(n) × {@link LOG_SCALE} for a positive integer n, truncated. Binary logarithm by the
 * classic digit-by-digit squaring method (integer part = bit length − 1; each fractional bit from
 * squaring the normalized mantissa), then × log10(2).
 */
export function log10Fixed(n: bigint): bigint {
  if (n <= 0n) throw new RangeError("log10Fixed expects a positive integer");
  const integerPart = BigInt(n.toString(2).length - 1);
  const one = 1n << MANTISSA_BITS;
  const two = one << 1n;
  let mantissa = (n << MANTISSA_BITS) >> integerPart; // in [1, 2) × 2^MANTISSA_BITS
  let fraction = 0n;
  for (let bit = LOG2_FRACTION_BITS - 1n; bit >= 0n; bit--) {
    mantissa = (mantissa * mantissa) >> MANTISSA_BITS;
    if (mantissa >= two) {
      mantissa >>= 1n;
      fraction |= 1n << bit;
    }
  }
  const log2Fixed = (integerPart << LOG2_FRACTION_BITS) | fraction;
  return (log2Fixed * LOG10_2_FIXED) >> LOG2_FRACTION_BITS;
}

/** floor(a / b) for bigints with b > 0 (bigint `/` truncates toward zero instead). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
