/**
 * Small statistics for benchmark figures: latency percentiles, medians and rounding.
 */
import type { LatencySummary } from './messages.js';

/** A growable list of numbers in a Float64Array, cheap to fill with hundreds of thousands. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  summary(): LatencySummary {
    return summarize(this.data.subarray(0, this.length));
  }
}

/** Nearest-rank percentile of sorted values; `p` in [0, 100]. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    samples: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : Number.NaN),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to `digits` significant decimals in a way that reads well in a table. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `a / b`, rounded, NaN-safe. */
export function ratio(a: number, b: number): number {
  return b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? Number.NaN : round(a / b, 3);
}

/** Rounds with other processes above this share of a core are left out of the figures. */
export const QUIET_PERCENT = 30;

/**
 * The items measured while the rest of the machine was quiet (`others(item)` at most
 * QUIET_PERCENT), or all of them when none was: the machine is shared, and a round that ran beside
 * someone's build measures the build.
 */
export function quiet<T>(items: T[], others: (item: T) => number): T[] {
  const kept = items.filter((item) => !(others(item) > QUIET_PERCENT));
  return kept.length > 0 ? kept : items;
}

/** Per-round CPU figures (`round0`, `round1`, ...) from a sampler, in round order. */
export function perRound(cpu: Record<string, number>, rounds: number): number[] {
  return Array.from({ length: rounds }, (_, r) => cpu[`round${r}`] ?? Number.NaN);
}

/** Each round tagged with the server's and other processes' CPU, keeping only the quiet ones. */
export function quietRounds<T extends object>(
  rounds: T[],
  serverCpu: Record<string, number>,
  otherCpu: Record<string, number>,
): (T & { serverCpu: number; others: number })[] {
  const server = perRound(serverCpu, rounds.length);
  const others = perRound(otherCpu, rounds.length);
  const tagged = rounds.map((r, i) => ({ ...r, serverCpu: server[i]!, others: others[i]! }));
  return quiet(tagged, (r) => r.others);
}
