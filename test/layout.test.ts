import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

/**
 * The layering README "Layout" describes is enforced by dependency-cruiser (`npm run lint`,
 * .dependency-cruiser.cjs). These tests show each rule failing on a tree that breaks it, and the
 * real tree passing.
 */
const ROOT = path.resolve(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'jobnet-layout-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function cruise(cwd: string, ...targets: string[]) {
  const result = spawnSync(DEPCRUISE, [...targets, '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

test('the real tree keeps its layers: no forbidden import, no cycle between folders', () => {
  const { status, output } = cruise(ROOT, 'src', 'examples');
  assert.equal(status, 0, output);
  assert.match(output, /no dependency violations found/);
});

test('each forbidden import fails the lint, named by its rule', () => {
  const dir = tree('forbidden', {
    'src/contracts/job.ts': "import { z } from 'zod';\nimport { helper } from '../catalog/helper';\nexport const x = [z, helper];\n",
    'src/catalog/helper.ts': "import { cli } from '../cli/main';\nexport const helper = cli;\n",
    'src/cli/main.ts': 'export const cli = 1;\n',
    'src/workflows/job.ts': "import { readFileSync } from 'node:fs';\nimport { run } from '../activities/command';\nexport const y = [readFileSync, run];\n",
    'src/activities/command.ts': "import type { W } from '../workflows/types';\nexport const run = (w?: W) => w;\n",
    'src/workflows/types.ts': 'export type W = number;\n',
    'src/worker.ts': "import { billing } from '../examples/billing';\nexport const z = billing;\n",
    'examples/billing.ts': 'export const billing = 1;\n',
    'src/time/a.ts': "import { b } from '../text/b';\nexport const a = 1 + b;\n",
    'src/text/b.ts': "import { a } from '../time/a';\nexport const b = 2;\nexport const c = () => a;\n",
  });
  const { status, output } = cruise(dir, 'src', 'examples');
  assert.notEqual(status, 0, output);
  for (const rule of [
    /contracts-import-nothing: src\/contracts\/job\.ts → \S*node_modules\/zod\//,
    /contracts-import-nothing: src\/contracts\/job\.ts → src\/catalog\/helper\.ts/,
    /catalog-not-cli: src\/catalog\/helper\.ts → src\/cli\/main\.ts/,
    /workflows-no-node: src\/workflows\/job\.ts → fs/,
    /workflows-no-activity-values: src\/workflows\/job\.ts → src\/activities\/command\.ts/,
    /activities-not-workflows: src\/activities\/command\.ts → src\/workflows\/types\.ts/,
    /src-not-examples: src\/worker\.ts → examples\/billing\.ts/,
    /no-circular-folders: src\/text/,
    /no-circular: src\/text\/b\.ts/,
  ]) {
    assert.match(output, rule);
  }
});

test('workflows may import the types of activities: a type-only import is not a violation', () => {
  const dir = tree('type-only', {
    'src/workflows/job.ts': "import type * as activities from '../activities/index';\nexport type A = typeof activities;\n",
    'src/activities/index.ts': 'export async function run(): Promise<void> {}\n',
  });
  const { status, output } = cruise(dir, 'src');
  assert.equal(status, 0, output);
});
