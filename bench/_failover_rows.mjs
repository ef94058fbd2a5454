// The row format every half of `npm run bench:failover` writes (see failover_run.mjs).

/** Median of the numeric samples (null ones are failed trials), to the millisecond; null when none. */
export function median(xs) {
  const v = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return Math.round((v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2) * 1000) / 1000;
}

/** One table row: its key (matched across halves), label, median, samples and notes. */
export function row(key, label, samples, notes) {
  return { key, label, median_s: median(samples), samples, n_ok: samples.filter((x) => typeof x === "number").length, notes };
}
