import type { z } from 'zod';
import { didYouMean } from '../../validation/suggest';

/**
 * Messages for zod's generic issues, written for someone reading their catalog ("must be a
 * list, not a mapping") rather than for a programmer ("expected array, received object").
 * Schemas that say something more specific keep their own message; this map only fills in.
 */

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  literal: 'a fixed value',
};

/** How a value of the file looks to its author. */
export function describeValue(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}…"` : `"${value}"`;
  return String(value);
}

/**
 * The known keys of each strict object that reported unknown keys, by the issue's `keys` array
 * (zod copies that array by reference into the final issue), so the loader can suggest one.
 */
export type KnownKeys = WeakMap<readonly string[], readonly string[]>;

export function catalogErrorMap(knownKeys: KnownKeys): z.core.$ZodErrorMap {
  return (issue) => {
    switch (issue.code) {
      case 'invalid_type': {
        const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
        if (issue.input === undefined) return `is required (${expected})`;
        // YAML reads `true`, `1` or `null` unquoted as non-text: `command: [true]` is a boolean.
        const quoteIt =
          issue.expected === 'string' && ['boolean', 'number'].includes(typeof issue.input) ? `; quote it ("${String(issue.input)}") to make it text` : '';
        return `must be ${expected}, not ${describeValue(issue.input)}${quoteIt}`;
      }
      case 'invalid_value': {
        const options = issue.values.map(String);
        const given = describeValue(issue.input);
        const near = typeof issue.input === 'string' ? didYouMean(issue.input, options) : '';
        return options.length === 1 ? `must be ${options[0]}, not ${given}` : `${given} is not one of ${options.join(', ')}${near}`;
      }
      case 'unrecognized_keys': {
        const shape = shapeOf(issue.inst);
        if (shape) knownKeys.set(issue.keys, shape);
        return undefined;
      }
      case 'invalid_key':
        return issue.issues[0]?.message;
      case 'too_small':
        if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
        if (issue.origin === 'string') return 'must not be empty';
        return `must be at least ${String(issue.minimum)}`;
      case 'too_big':
        if (issue.origin === 'array') return `takes at most ${String(issue.maximum)} items`;
        return `must be at most ${String(issue.maximum)}`;
      case 'invalid_union':
        return issue.input === undefined ? 'is required' : `${describeValue(issue.input)} is none of the accepted forms`;
      default:
        return undefined;
    }
  };
}

function shapeOf(inst: unknown): string[] | undefined {
  if (typeof inst !== 'object' || inst === null || !('_zod' in inst)) return undefined;
  const internals = inst._zod;
  if (typeof internals !== 'object' || internals === null || !('def' in internals)) return undefined;
  const def = internals.def;
  if (typeof def !== 'object' || def === null || !('shape' in def)) return undefined;
  const shape = def.shape;
  return typeof shape === 'object' && shape !== null ? Object.keys(shape) : undefined;
}
