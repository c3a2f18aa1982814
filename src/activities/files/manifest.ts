import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic';

/**
 * The record of what was imported into a directory: `<to>/.jobnet-manifest.json`, one entry
 * per file with its checksum, the source's size and modification time (a cheap "unchanged"
 * check, like rsync's), and the run that imported it. Replaced atomically, and only when an
 * entry changed, so a re-run that imports nothing leaves it byte for byte as it was.
 */
export const MANIFEST_NAME = '.jobnet-manifest.json';

const entrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  sourcePath: z.string(),
  sourceMtimeMs: z.number(),
  importedAt: z.string(),
  runKey: z.string(),
});

const manifestSchema = z.object({
  version: z.literal(1),
  files: z.record(z.string(), entrySchema),
});

export type ManifestEntry = z.infer<typeof entrySchema>;
export type Manifest = z.infer<typeof manifestSchema>;

export function manifestPath(destDir: string): string {
  return path.join(destDir, MANIFEST_NAME);
}

export async function readManifest(destDir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(manifestPath(destDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, files: {} };
    throw error;
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${manifestPath(destDir)} is not a jobnet import manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function writeManifest(destDir: string, manifest: Manifest): Promise<void> {
  // Sorted keys: the same entries always give the same bytes.
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(manifestPath(destDir), `${JSON.stringify({ version: 1, files }, null, 2)}\n`);
}
