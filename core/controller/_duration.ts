/** Pacemaker durations ("10s", "2min", "500ms", "1h", "PT1M", bare seconds) in ms. Internal. */
export function durationMs(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const s = v.trim();
  const iso = /^P(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)$/i.exec(s);
  if (iso && (iso[1] || iso[2] || iso[3])) {
    return ((Number(iso[1] ?? 0) * 60 + Number(iso[2] ?? 0)) * 60 + Number(iso[3] ?? 0)) * 1000;
  }
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?$/i.exec(s);
  if (!m) return fallback;
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const f = unit === "ms" || unit === "msec" ? 1 : unit === "m" || unit === "min" ? 60_000 : unit === "h" || unit === "hr" ? 3_600_000 : 1000;
  return Math.round(n * f);
}
