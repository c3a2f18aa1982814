import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogPath } from '../src/catalog/load/load';
import { tempDir } from './helpers/fs';

describe('which catalog the CLI reads', () => {
  it('-c, else $JOBNET_CATALOG, else ./jobnet.yaml, else the catalog npm run dev recorded', () => {
    const work = tempDir('catalog-path');
    try {
      const cwd = path.join(work.dir, 'somewhere');
      const devRecord = path.join(work.dir, '.data', 'dev-catalog');
      const examples = path.join(work.dir, 'examples.yaml');
      mkdirSync(path.dirname(devRecord), { recursive: true });
      mkdirSync(cwd);
      writeFileSync(examples, 'version: 1\n');
      const where = { cwd, env: {}, devRecord };

      // Nothing anywhere: ./jobnet.yaml, so the error names the file the user would create.
      assert.equal(catalogPath(undefined, where), path.join(cwd, 'jobnet.yaml'));
      // npm run dev recorded the catalog it synced: the CLI of that checkout reads it.
      writeFileSync(devRecord, `${examples}\n`);
      assert.equal(catalogPath(undefined, where), examples);
      // A ./jobnet.yaml of the user's own wins over the embedded default's.
      writeFileSync(path.join(cwd, 'jobnet.yaml'), 'version: 1\n');
      assert.equal(catalogPath(undefined, where), path.join(cwd, 'jobnet.yaml'));
      // The environment and -c win over both, relative to the working directory.
      assert.equal(catalogPath(undefined, { ...where, env: { JOBNET_CATALOG: 'env.yaml' } }), path.join(cwd, 'env.yaml'));
      assert.equal(catalogPath('c.yaml', { ...where, env: { JOBNET_CATALOG: 'env.yaml' } }), path.join(cwd, 'c.yaml'));
    } finally {
      work.cleanup();
    }
  });

  it('ignores a record whose catalog is gone', () => {
    const work = tempDir('catalog-path-gone');
    try {
      const devRecord = path.join(work.dir, 'dev-catalog');
      writeFileSync(devRecord, `${path.join(work.dir, 'deleted.yaml')}\n`);
      assert.equal(catalogPath(undefined, { cwd: work.dir, env: {}, devRecord }), path.join(work.dir, 'jobnet.yaml'));
    } finally {
      work.cleanup();
    }
  });
});
