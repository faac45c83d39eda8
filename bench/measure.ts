import { performance } from "node:perf_hooks";

export interface Measurement {
  name: string;
  medianMs: number;
  runs: number;
}

/** Median wall time of `runs` calls after `warmup` unmeasured ones. */
export async function measure(name: string, fn: () => unknown, runs = 15, warmup = 3): Promise<Measurement> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { name, medianMs: times[Math.floor(times.length / 2)] ?? 0, runs };
}
