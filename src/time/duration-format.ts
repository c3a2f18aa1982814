/**
 * Durations as operators write them: "90s", "6m", "2h", "1d", "500ms", or a bare number of
 * seconds (batch_runner's `interval: 3600`). Parsed to milliseconds.
 *
 * Free of zod and Node APIs: workflows use it, and every workflow run evaluates the modules
 * it imports afresh (the schemas are in duration.ts).
 */
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration, or undefined when the text is not one. */
export function durationToMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1_000 : undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Milliseconds as a short human duration for messages ("6m", "1h30m"). */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
