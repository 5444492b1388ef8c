/**
 * Complementary error function with fractional error below 1.2e-7 everywhere
 * (Chebyshev fit, Numerical Recipes' `erfcc`). The relative accuracy holds far
 * into the tail, which matters because scores are built from log tail probabilities.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  // The fit gives 1 + 3e-8 at 0; clamping keeps erfc monotone across 0.
  const c = r > 1 ? 1 : r;
  return x >= 0 ? c : 2 - c;
}

/**
 * -log10(erfc(x)) for x >= 0, without computing erfc itself: the fit is
 * `t * exp(poly)`, so its log needs one `Math.log` and no `exp` (hot path).
 */
export function negLog10Erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const lnR =
    Math.log(t) -
    x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  // Same clamp as erfc: never below 0 (erfc(0) = 1).
  return lnR >= 0 ? 0 : -lnR / Math.LN10;
}

/**
 * {@link logTailScore} of {@link twoSidedTail}(z), fast: 1 at 10^-decades or rarer.
 */
export function twoSidedTailScore(z: number, decades: number): number {
  const s = negLog10Erfc((z < 0 ? -z : z) / Math.SQRT2) / decades;
  return s >= 1 ? 1 : s;
}

/** {@link logTailScore} of {@link upperTail}(z), fast for z >= 0. */
export function upperTailScore(z: number, decades: number): number {
  if (z < 0) return logTailScore(upperTail(z), decades);
  const s = (negLog10Erfc(z / Math.SQRT2) + Math.LOG10E * Math.LN2) / decades;
  return s >= 1 ? 1 : s;
}

/** P(Z > z) for a standard normal Z. */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** P(|Z| > |z|) for a standard normal Z. */
export function twoSidedTail(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/**
 * Maps a tail probability to a score in [0, 1] on a log scale: 1e-`decades` (or
 * smaller) gives 1, probability 1 gives 0. Rare events stay distinguishable
 * from each other, which a linear `1 - p` would squash against 1.
 */
export function logTailScore(p: number, decades: number): number {
  if (!(p > 0)) return 1;
  const s = -Math.log10(p) / decades;
  return s <= 0 ? 0 : s >= 1 ? 1 : s;
}
