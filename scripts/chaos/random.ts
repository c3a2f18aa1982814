/**
 * The campaign's one source of chance: a seeded generator (mulberry32), so a seed replays the
 * same choices — which kind of kill, which target, how long until the next one — in the same
 * order. (What the machine does in between is not replayed: the moments land in other work.)
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  /** One element, by weight. */
  weighted<T>(choices: ReadonlyArray<{ value: T; weight: number }>): T;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    weighted: (choices) => {
      const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
      let roll = next() * total;
      for (const choice of choices) {
        roll -= choice.weight;
        if (roll < 0) return choice.value;
      }
      return choices[choices.length - 1]!.value;
    },
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}
