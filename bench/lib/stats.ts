// Statistics for the benchmark: every figure is reported as a median with its spread over the runs of this
// invocation, never as a single sample.

/** A measured quantity over n samples. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Nearest-rank 90th percentile. */
  p90: number;
}

function sorted(values: readonly number[]): number[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length !== values.length) throw new Error(`not a finite number among ${JSON.stringify(values)}`);
  return [...finite].sort((a, b) => a - b);
}

/** The median: the middle value, or the mean of the two middle values. NaN for no values. */
export function median(values: readonly number[]): number {
  const s = sorted(values);
  if (!s.length) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank quantile (q in [0, 1]): the smallest value with at least q·n values at or below it. */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} is outside [0, 1]`);
  const s = sorted(values);
  if (!s.length) return NaN;
  const rank = Math.max(1, Math.ceil(q * s.length));
  return s[rank - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  const s = sorted(values);
  if (!s.length) throw new Error('cannot summarise no samples');
  return { n: s.length, median: median(s), min: s[0]!, max: s[s.length - 1]!, p90: quantile(s, 0.9) };
}

/** Total length of the union of [start, end] intervals, clipped to [from, to]; overlaps count once. */
export function unionLength(intervals: readonly { start: number; end: number }[], from = -Infinity, to = Infinity): number {
  const clipped = intervals
    .map((i) => ({ start: Math.max(i.start, from), end: Math.min(i.end, to) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = NaN;
  let curEnd = NaN;
  for (const i of clipped) {
    if (Number.isNaN(curEnd) || i.start > curEnd) {
      if (!Number.isNaN(curEnd)) total += curEnd - curStart;
      curStart = i.start;
      curEnd = i.end;
    } else if (i.end > curEnd) {
      curEnd = i.end;
    }
  }
  if (!Number.isNaN(curEnd)) total += curEnd - curStart;
  return total;
}

/** Rounds for presentation and for the JSON (stable, diff-friendly numbers). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function roundSummary(s: Summary, digits = 1): Summary {
  return { n: s.n, median: round(s.median, digits), min: round(s.min, digits), max: round(s.max, digits), p90: round(s.p90, digits) };
}

/** "12.3 (10.1–15.0)": median and min–max. */
export function formatSpread(s: Summary, digits = 0, unit = ''): string {
  const f = (v: number) => v.toFixed(digits);
  return s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}
