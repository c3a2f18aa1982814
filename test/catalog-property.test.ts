/**
 * Whatever text arrives as a catalog, parseCatalog returns a catalog or throws
 * InvalidInputError with well-formed problems — never another exception (a crash in the
 * loader would reach the operator as a stack trace and exit code 1 instead of 2).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseCatalog } from '../src/catalog/load/load';
import { InvalidInputError } from '../src/validation/validation-error';

const RUNS = 200;
const ENV = { SLACK_WEBHOOK_URL: 'https://h.example/s', SMTP_URL: 'smtp://m.example', PAGER_URL: 'https://p.example', BATCH_HOME: '/srv' };

const validTexts = ['01-design-example.yaml', '05-every-kind.yaml'].map((name) =>
  readFileSync(path.join(__dirname, 'fixtures', 'catalogs', 'valid', name), 'utf8'),
);
const validValues: unknown[] = validTexts.map((text) => parseYaml(text, { merge: true }));

/** The property itself: a catalog, or bad input with each problem's path and message. */
function loadsOrRejects(text: string): void {
  try {
    parseCatalog(text, 'property', { env: ENV });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    assert.ok(error.problems.length > 0, 'a rejection names at least one problem');
    for (const problem of error.problems) {
      assert.equal(typeof problem.path, 'string');
      assert.ok(problem.message.length > 0);
      assert.ok(problem.line === undefined || (Number.isInteger(problem.line) && problem.line > 0), `line ${problem.line}`);
    }
  }
}

type Json = unknown;
type Key = string | number;

function pathsOf(value: Json, prefix: Key[] = []): Key[][] {
  const children: [Key, Json][] = Array.isArray(value)
    ? value.map((item, index): [Key, Json] => [index, item])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

/** A typo of the kind operators make: a letter dropped, doubled, swapped or changed. */
function typo(word: string, at: number, kind: number): string {
  if (word.length === 0) return 'x';
  const i = at % word.length;
  switch (kind % 4) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word[i] + word.slice(i);
    case 2:
      return i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : `${word}s`;
    default:
      return word.slice(0, i) + 'z' + word.slice(i + 1);
  }
}

interface Mutation {
  pick: number;
  op: 'delete' | 'replace' | 'rename' | 'interpolate';
  value: Json;
  at: number;
  kind: number;
}

/** Applies one mutation at a path chosen by `pick`, on a copy. */
function mutate(root: Json, mutation: Mutation): Json {
  const copy: Json = structuredClone(root);
  const paths = pathsOf(copy).filter((p) => p.length > 0);
  const target = paths[mutation.pick % paths.length];
  if (!target) return mutation.value;
  let parent: Json = copy;
  for (const key of target.slice(0, -1)) parent = (parent as Record<Key, Json>)[key];
  const key = target[target.length - 1]!;
  const container = parent as Record<Key, Json>;
  if (mutation.op === 'delete') {
    if (Array.isArray(container) && typeof key === 'number') container.splice(key, 1);
    else delete container[key];
  } else if (mutation.op === 'replace') {
    container[key] = mutation.value;
  } else if (mutation.op === 'interpolate') {
    container[key] = ['${UNSET_VAR}', '${SLACK_WEBHOOK_URL}', '$${LITERAL}', '${', '${BAD NAME}', '${X:-30m}'][mutation.kind % 6];
  } else if (!Array.isArray(container) && typeof key === 'string') {
    const value = container[key];
    delete container[key];
    container[typo(key, mutation.at, mutation.kind)] = value;
  }
  return copy;
}

const mutationArb = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('delete', 'replace', 'rename', 'interpolate'),
  value: fc.jsonValue({ maxDepth: 2 }),
  at: fc.nat(),
  kind: fc.nat(),
});

describe('parseCatalog on arbitrary input', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), loadsOrRejects), { numRuns: RUNS });
  });

  it("random text made of YAML's own punctuation", () => {
    const yamlish = fc.string({ unit: fc.constantFrom(...':-[]{},#&*!|>\'"%@`?\n  jobs command ${}$'.split('')), maxLength: 120 });
    fc.assert(fc.property(yamlish, loadsOrRejects), { numRuns: RUNS });
  });

  it('random JSON values, written as YAML and as JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, asJson) => loadsOrRejects(asJson ? JSON.stringify(value) : stringifyYaml(value))),
      { numRuns: RUNS },
    );
  });

  it('valid catalogs with keys deleted, values swapped, keys misspelt and references broken', () => {
    fc.assert(
      fc.property(fc.nat(validValues.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (which, mutations, asJson) => {
        const mutated = mutations.reduce<Json>((value, mutation) => mutate(value, mutation), validValues[which]);
        loadsOrRejects(asJson ? JSON.stringify(mutated) : stringifyYaml(mutated));
      }),
      { numRuns: RUNS },
    );
  });

  it('valid catalog texts with characters cut out or pasted in', () => {
    fc.assert(
      fc.property(fc.nat(validTexts.length - 1), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 8 }), (which, at, cut, paste) => {
        const text = validTexts[which]!;
        const i = at % (text.length + 1);
        loadsOrRejects(text.slice(0, i) + paste + text.slice(i + cut));
      }),
      { numRuns: RUNS },
    );
  });
});
