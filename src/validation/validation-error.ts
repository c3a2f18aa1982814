import type { z } from 'zod';

/** One problem in an input, with where it is. */
export interface InputProblem {
  path: string;
  message: string;
  /** 1-based line in the source file, when the input came from one. */
  line?: number;
}

/** `a.b[0].c` from a zod issue path, the way operators read it in their catalog. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function problemsFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): InputProblem[] {
  return error.issues.map((issue) => problemFromIssue(issue, prefix));
}

export function problemFromIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): InputProblem {
  const path = formatPath([...prefix, ...issue.path]);
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  return { path, message: issue.message };
}

/** Bad input: exit code 2 at the CLI, a non-retryable `InvalidInput` failure in a workflow. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInput';
  constructor(
    readonly problems: InputProblem[],
    readonly source = 'input',
  ) {
    super(`invalid ${source}:\n${problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ''}${p.path}: ${p.message}`).join('\n')}`);
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, source?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(problemsFromZod(result.error), source);
  return result.data;
}
