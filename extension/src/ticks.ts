// Tick values for axes and colour bars: "nice" numbers (1, 2 or 5 times a power of ten) so a
// reader can interpolate between labels, and powers of ten on logarithmic scales.

/** About `count` evenly spaced round values inside [low, high] (the ends included when round). */
export function linearTicks(low: number, high: number, count = 5): number[] {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [];
  if (high < low) [low, high] = [high, low];
  if (high === low) return [low];
  const rough = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const first = Math.ceil(low / step - 1e-9);
  const last = Math.floor(high / step + 1e-9);
  const ticks: number[] = [];
  // Rounded to the step's decimals, so 0.1 + 0.2 prints as 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}

/** Powers of ten inside [low, high] (both positive), thinned to at most `count` labels. */
export function logTicks(low: number, high: number, count = 6): number[] {
  if (!(low > 0) || !(high > 0)) return [];
  const first = Math.ceil(Math.log10(Math.min(low, high)) - 1e-9),
    last = Math.floor(Math.log10(Math.max(low, high)) + 1e-9);
  if (last < first) return [];
  const every = Math.max(1, Math.ceil((last - first + 1) / count));
  const ticks: number[] = [];
  for (let e = first; e <= last; e += every) ticks.push(10 ** e);
  return ticks;
}

/** A tick label: compact, with no floating-point tails (0.30000000000000004 prints as 0.3). */
export function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const exponent = Math.floor(Math.log10(magnitude));
    const mantissa = Number((value / 10 ** exponent).toPrecision(3));
    return mantissa === 1 ? `1e${exponent}` : `${mantissa}e${exponent}`;
  }
  return String(Number(value.toPrecision(4)));
}
