import { ApplicationFailure } from '@temporalio/common';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { resolveInRoots } from './roots';

/**
 * The files a `path` / `from` names: one file, every file of a directory, or a pattern with
 * `*` and `?` in its last segment (`in/employees_*.csv`). Hidden files (a leading dot) are
 * never matched: that is where writers, jobnet included, keep their partial files.
 */
export interface MatchedFile {
  name: string;
  path: string;
  stat: Stats;
}

const WILDCARD = /[*?]/;

function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '[^/]*')
    .replaceAll('?', '[^/]');
  return new RegExp(`^${body}$`);
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function filesIn(dir: string, accept: (name: string) => boolean, roots: string[]): Promise<MatchedFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const matched: MatchedFile[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || !accept(name)) continue;
    // Each match is checked again: a symlink in the directory may point anywhere.
    const file = resolveInRoots(path.join(dir, name), roots, 'file');
    const stat = await statOrNull(file);
    if (stat && (stat.isFile() || stat.isFIFO())) matched.push({ name, path: file, stat });
  }
  return matched;
}

/** What `spec` names now (maybe nothing), every path inside `roots`. */
export async function matchFiles(spec: string, roots: string[]): Promise<MatchedFile[]> {
  const dirPart = path.dirname(spec);
  const last = path.basename(spec);
  if (WILDCARD.test(dirPart)) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `${spec}: wildcards are allowed in the file name only, not in its directories`,
      nonRetryable: true,
    });
  }
  if (WILDCARD.test(last)) {
    const pattern = patternRegExp(last);
    return filesIn(resolveInRoots(dirPart, roots, 'directory'), (name) => pattern.test(name), roots);
  }
  const target = resolveInRoots(spec, roots, 'path');
  const stat = await statOrNull(target);
  if (stat === null) return [];
  if (stat.isDirectory()) return filesIn(target, () => true, roots);
  return stat.isFile() || stat.isFIFO() ? [{ name: last, path: target, stat }] : [];
}
