import { z } from 'zod';

/**
 * Durations as operators write them: "90s", "6m", "2h", "1d", "500ms", or a bare number of
 * seconds (batch_runner's `interval: 3600`). Parsed to milliseconds.
 *
 * Kept free of Node APIs: workflow code validates its input with these schemas too.
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

/** A duration that must be greater than zero; parses to milliseconds. */
export const positiveDuration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = durationToMs(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration; write e.g. 90s, 6m, 2h, 1d or a number of seconds`,
    });
    return z.NEVER;
  }
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `must be greater than zero, got "${value}"` });
    return z.NEVER;
  }
  return Math.round(ms);
});

/** Milliseconds as a short human duration for messages ("6m", "1h30m"). */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
