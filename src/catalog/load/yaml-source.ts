import { LineCounter, isAlias, isMap, isNode, isPair, isScalar, isSeq, parseDocument, type YAMLError } from 'yaml';
import { formatPath, type InputProblem } from '../../validation/validation-error';

/**
 * A catalog file as YAML (JSON is YAML): its value, and the line of any path in it, so every
 * problem can say where it is.
 */
export interface YamlSource {
  /** The document's value; undefined for an empty file. */
  value: unknown;
  /** The line of the key (or list item) at `path`, else of the deepest part of it that exists. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
  /** Duplicate (and unusable) keys: problems, but not fatal, so they are reported with everything else. */
  keyProblems: InputProblem[];
}

/** The YAML merge key, which legitimately repeats. */
const MERGE_KEY = '<<';

const keyText = (key: unknown): string | undefined => (isScalar(key) ? String(key.value) : undefined);

/**
 * Parses a catalog text. Syntax errors come back as problems and no value — past a syntax
 * error the document's shape is a guess, and problems found in a guess would mislead.
 */
export function readYaml(text: string): { source: YamlSource } | { syntax: InputProblem[] } {
  const lines = new LineCounter();
  // Duplicate keys are found below with their paths, so the parser must not stop at them.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, merge: true, prettyErrors: true });
  if (doc.errors.length > 0) return { syntax: firstSyntaxErrors(doc.errors) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias bomb, or a merge of something that is not a mapping.
    return { syntax: [{ path: '(syntax)', message: error instanceof Error ? error.message : String(error) }] };
  }
  const lineAt = (node: unknown): number | undefined => (isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined);

  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    let node: unknown = doc.contents;
    let line = lineAt(doc.contents) ?? 1;
    for (const key of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        // The last of duplicate keys is the one whose value the document keeps.
        const pair = node.items.filter((item) => keyText(item.key) === String(key)).pop();
        if (!pair) break;
        line = lineAt(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        line = lineAt(item) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };

  const keyProblems: InputProblem[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        if (key !== undefined && key !== MERGE_KEY) {
          const line = lineAt(pair.key);
          if (key === '__proto__') {
            // JavaScript objects cannot hold this key as data; it would vanish without a word.
            keyProblems.push({ path: formatPath([...path, key]), message: '"__proto__" cannot be used as a key', line });
          } else if (seen.has(key)) {
            const first = seen.get(key);
            keyProblems.push({ path: formatPath([...path, key]), message: `duplicate key "${key}"${first ? ` (first at line ${first})` : ''}`, line });
          } else {
            seen.set(key, line);
          }
        }
        visit(pair.value, key === undefined ? path : [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(doc.contents, []);

  return { source: { value, lineOf, keyProblems } };
}

/**
 * After a syntax error the parser's recovery produces a cascade of follow-on errors, one per
 * token; the first error of each line, up to a handful, is what an operator can act on.
 */
const MAX_SYNTAX_PROBLEMS = 5;

function firstSyntaxErrors(errors: readonly YAMLError[]): InputProblem[] {
  const byLine = new Map<number | undefined, InputProblem>();
  for (const error of errors) {
    const problem = syntaxProblem(error);
    if (!byLine.has(problem.line)) byLine.set(problem.line, problem);
  }
  return [...byLine.values()].slice(0, MAX_SYNTAX_PROBLEMS);
}

function syntaxProblem(error: YAMLError): InputProblem {
  // prettyErrors appends the position and a source excerpt; the line is reported on its own.
  let message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  // The parser turns its own stack overflow into an error; say what it means for the file.
  if (/call stack/i.test(message)) message = 'nested too deeply to read';
  return { path: '(syntax)', message, line: error.linePos?.[0]?.line };
}
