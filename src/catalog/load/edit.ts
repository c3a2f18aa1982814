import { renameSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { parseDocument, type Document } from 'yaml';
import { parseCatalog } from './load';
import type { Catalog } from '../schema/catalog-schema';

/**
 * Edits of the catalog file made by `jobnet add/remove/enable/disable`. They go through the
 * YAML document, so comments, order and formatting of everything else are kept, and the
 * result is validated before it replaces the file: a bad edit changes nothing.
 */
export function editCatalogFile(file: string, edit: (doc: Document) => void): Catalog {
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  edit(doc);
  const text = doc.toString({ lineWidth: 0 });
  const catalog = parseCatalog(text, file);
  writeFileAtomically(file, text);
  return catalog;
}

/** Temp file in the same directory, then rename: readers see the old file or the new one. */
export function writeFileAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, 'utf8');
  renameSync(temp, file);
}
