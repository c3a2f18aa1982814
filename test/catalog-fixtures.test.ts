/**
 * The catalog fixtures: every broken catalog under fixtures/catalogs/broken reports exactly the
 * problems its sibling .expected.json lists — path, line and message — no more and no fewer;
 * every catalog under fixtures/catalogs/valid loads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog } from '../src/catalog/load/load';
import { InvalidInputError, type InputProblem } from '../src/validation/validation-error';

const FIXTURES = path.join(__dirname, 'fixtures', 'catalogs');
const BROKEN = path.join(FIXTURES, 'broken');
const VALID = path.join(FIXTURES, 'valid');

/** Every fixture reads the same environment, so ${VAR} outcomes do not depend on the machine. */
const FIXTURE_ENV = {
  BATCH_HOME: '/srv/batch',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T0/B0/x',
  SMTP_URL: 'smtp://mail.example:25',
  PAGER_URL: 'https://pager.example/hook',
};

interface Expected {
  path: string;
  line: number;
  message: string;
}

const isCatalogFile = (file: string) => /\.(ya?ml|json)$/.test(file) && !file.endsWith('.expected.json');

function problemsOf(file: string): InputProblem[] {
  try {
    parseCatalog(readFileSync(file, 'utf8'), path.basename(file), { env: FIXTURE_ENV });
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`${path.basename(file)} loaded, but it is broken`);
}

const show = (problems: readonly { path: string; line?: number; message: string }[]) =>
  problems.map((p) => `  line ${p.line ?? '?'}: ${p.path}: ${p.message}`).join('\n') || '  (none)';

describe('broken catalogs report exactly their expected problems', () => {
  const files = readdirSync(BROKEN).filter(isCatalogFile).sort();

  it('has a fixture for each rule (at least 30), each with its expectations', () => {
    assert.ok(files.length >= 30, `only ${files.length} broken fixtures`);
    for (const file of files) assert.ok(existsSync(path.join(BROKEN, expectedFile(file))), `${file} has no ${expectedFile(file)}`);
    const orphans = readdirSync(BROKEN).filter((f) => f.endsWith('.expected.json') && !files.some((c) => expectedFile(c) === f));
    assert.deepEqual(orphans, [], 'expectations without a catalog');
  });

  for (const file of files) {
    it(file, () => {
      const expected = JSON.parse(readFileSync(path.join(BROKEN, expectedFile(file)), 'utf8')) as Expected[];
      const actual = problemsOf(path.join(BROKEN, file));
      const unmatched = [...actual];
      const missing: Expected[] = [];
      for (const want of expected) {
        const index = unmatched.findIndex((p) => p.path === want.path && p.line === want.line && new RegExp(want.message).test(p.message));
        if (index < 0) missing.push(want);
        else unmatched.splice(index, 1);
      }
      assert.ok(
        missing.length === 0 && unmatched.length === 0,
        `${file}\nexpected but not reported:\n${show(missing)}\nreported but not expected:\n${show(unmatched)}`,
      );
    });
  }

  it('prints each problem as "line N: path: message", in line order', () => {
    const file = path.join(BROKEN, '18-locks.yaml');
    assert.throws(
      () => parseCatalog(readFileSync(file, 'utf8'), 'jobnet.yaml', { env: FIXTURE_ENV }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        const lines = error.message.split('\n');
        assert.equal(lines[0], 'invalid jobnet.yaml:');
        assert.match(lines[1] ?? '', /^ {2}line 3: locks\.orders\.maxWait: maxWait is for policy wait/);
        assert.match(error.message, /line 8: jobs\.ranking\.locks\[0\]: unknown lock "rankngs" — did you mean "rankings"\?/);
        const numbers = error.problems.map((p) => p.line ?? 0);
        assert.deepEqual(
          numbers,
          [...numbers].sort((a, b) => a - b),
        );
        return true;
      },
    );
  });
});

function expectedFile(catalogFile: string): string {
  return catalogFile.replace(/\.(ya?ml|json)$/, '.expected.json');
}

describe('valid catalogs load', () => {
  const files = readdirSync(VALID).filter(isCatalogFile).sort();
  for (const file of files) {
    it(file, () => {
      assert.doesNotThrow(() => parseCatalog(readFileSync(path.join(VALID, file), 'utf8'), file, { env: FIXTURE_ENV }));
    });
  }

  it('the example catalog of the repository loads', () => {
    const file = path.join(__dirname, '..', 'examples', 'jobnet.yaml');
    assert.doesNotThrow(() => parseCatalog(readFileSync(file, 'utf8'), file, { env: {} }));
  });
});
