import { parseTemplate, type Env } from '../../src/catalog/schema/interpolate';

/**
 * A command's argv, env and cwd reach the worker as the catalog writes them, `${VAR}`s resolved
 * from the worker's environment. Tests whose in-process worker serves several runs at once, each
 * with values of its own (a trace file per run), fix those variables in the run input instead,
 * as the worker's environment would; every other reference and escape stays for the worker.
 */
export function bindTemplate(template: string, vars: Env): string {
  return parseTemplate(template)
    .map((segment) => {
      if ('text' in segment) return segment.text.replaceAll('${', '$${');
      const value = vars[segment.variable];
      if (value !== undefined && (value !== '' || segment.fallback === undefined)) return value.replaceAll('${', '$${');
      if (value !== undefined || segment.fallback === undefined) return `\${${segment.variable}}`;
      return `\${${segment.variable}:-${segment.fallback}}`;
    })
    .join('');
}

/** Every `command`, `env` and `cwd` anywhere in a run input, with `vars` fixed. */
export function bindCommandVariables<T>(input: T, vars: Env): T {
  const walk = (node: unknown, key?: string): unknown => {
    if (key === 'command' && Array.isArray(node)) return node.map((arg) => (typeof arg === 'string' ? bindTemplate(arg, vars) : arg));
    if (key === 'cwd' && typeof node === 'string') return bindTemplate(node, vars);
    if (key === 'env' && typeof node === 'object' && node !== null && !Array.isArray(node)) {
      return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, typeof value === 'string' ? bindTemplate(value, vars) : value]));
    }
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, walk(value, name)]));
    return node;
  };
  return walk(input) as T;
}
