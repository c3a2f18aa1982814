/**
 * fileImport (seed 000's fix for every job): whole files or none at the destination, a manifest
 * of checksums so a re-run skips what is there, paths confined to the worker's roots.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { importFiles, type ImportRequest } from '../src/activities/files/file-import';
import { INCOMING_DIR } from '../src/activities/files/atomic';
import { manifestPath, readManifest } from '../src/activities/files/manifest';
import { tempDir, waitFor } from './helpers/fs';

const ROOT = path.resolve(__dirname, '..');
let work: ReturnType<typeof tempDir>;
before(() => (work = tempDir('file-import')));
after(() => work.cleanup());

let caseNo = 0;
/** A fresh inbox and destination under the work dir, which is the only root. */
function scene() {
  const dir = path.join(work.dir, `case-${++caseNo}`);
  const inbox = path.join(dir, 'in');
  const out = path.join(dir, 'out');
  mkdirSync(inbox, { recursive: true });
  const request = (overrides: Partial<ImportRequest> = {}): ImportRequest => ({
    from: path.join(inbox, 'employees_*.csv'),
    to: out,
    skipExisting: true,
    minFiles: 1,
    runKey: 'hr-import@2026-03-02',
    roots: [work.dir],
    ...overrides,
  });
  const visible = () =>
    existsSync(out)
      ? readdirSync(out)
          .filter((name) => !name.startsWith('.'))
          .sort()
      : [];
  return { dir, inbox, out, request, visible };
}

function failureType(error: unknown): string | undefined {
  return error instanceof ApplicationFailure ? (error.type ?? undefined) : undefined;
}

describe('fileImport', () => {
  it('run twice: one file at the destination and a manifest unchanged byte for byte', async () => {
    const s = scene();
    writeFileSync(path.join(s.inbox, 'employees_20260302.csv'), 'id,name\n1,Sato\n2,Suzuki\n');
    writeFileSync(path.join(s.inbox, 'other.txt'), 'not matched');
    const first = await importFiles(s.request());
    assert.deepEqual(first, { imported: ['employees_20260302.csv'], skipped: [], removedParts: 0 });
    const manifestBytes = readFileSync(manifestPath(s.out));
    const inode = statSync(path.join(s.out, 'employees_20260302.csv')).ino;

    const second = await importFiles(s.request({ runKey: 'hr-import@2026-03-02+forced' }));
    assert.deepEqual(second, { imported: [], skipped: ['employees_20260302.csv'], removedParts: 0 });
    assert.deepEqual(s.visible(), ['employees_20260302.csv']);
    assert.equal(readFileSync(path.join(s.out, 'employees_20260302.csv'), 'utf8'), 'id,name\n1,Sato\n2,Suzuki\n');
    assert.ok(readFileSync(manifestPath(s.out)).equals(manifestBytes), 'manifest unchanged');
    assert.equal(statSync(path.join(s.out, 'employees_20260302.csv')).ino, inode, 'the file was not rewritten');
    const entry = (await readManifest(s.out)).files['employees_20260302.csv']!;
    assert.equal(entry.runKey, 'hr-import@2026-03-02');
    assert.equal(entry.sha256, execFileSync('sha256sum', [path.join(s.inbox, 'employees_20260302.csv')], { encoding: 'utf8' }).split(' ')[0]);
  });

  it('a touched but equal source is not copied again; a changed one replaces the file whole', async () => {
    const s = scene();
    const source = path.join(s.inbox, 'employees_1.csv');
    writeFileSync(source, 'v1\n');
    await importFiles(s.request());
    const inode = statSync(path.join(s.out, 'employees_1.csv')).ino;
    utimesSync(source, new Date(), new Date(Date.now() + 5_000));
    assert.deepEqual((await importFiles(s.request())).skipped, ['employees_1.csv']);
    assert.equal(statSync(path.join(s.out, 'employees_1.csv')).ino, inode);

    writeFileSync(source, 'v2, longer\n');
    assert.deepEqual((await importFiles(s.request({ runKey: 'next-day' }))).imported, ['employees_1.csv']);
    assert.equal(readFileSync(path.join(s.out, 'employees_1.csv'), 'utf8'), 'v2, longer\n');
    assert.equal((await readManifest(s.out)).files['employees_1.csv']!.runKey, 'next-day');
    assert.deepEqual((await importFiles(s.request({ skipExisting: false }))).imported, ['employees_1.csv'], 'skipExisting: false copies again');
  });

  it('a crash after the rename but before the manifest: the re-run recognises the file and only records it', async () => {
    const s = scene();
    writeFileSync(path.join(s.inbox, 'employees_2.csv'), 'x\n');
    await importFiles(s.request());
    const inode = statSync(path.join(s.out, 'employees_2.csv')).ino;
    rmSync(manifestPath(s.out));
    assert.deepEqual((await importFiles(s.request())).skipped, ['employees_2.csv']);
    assert.equal(statSync(path.join(s.out, 'employees_2.csv')).ino, inode);
    assert.ok((await readManifest(s.out)).files['employees_2.csv']);
  });

  it('killed mid-copy: no partial file is visible; the next run removes the part and imports once', async () => {
    const s = scene();
    // A named pipe as the upstream lets the test stop the writer half-way, at a known point.
    const fifo = path.join(s.inbox, 'employees_big.csv');
    execFileSync('mkfifo', [fifo]);
    const script = `require('./src/activities/files/file-import').importFiles(${JSON.stringify(s.request({ from: fifo }))}).then(() => process.exit(0))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const half = Buffer.alloc(256 * 1024, 'a');
    const writer = createWriteStream(fifo);
    writer.write(half);
    const incoming = path.join(s.out, INCOMING_DIR);
    await waitFor(
      () => existsSync(incoming) && readdirSync(incoming).some((name) => statSync(path.join(incoming, name)).size > 0),
      30_000,
      `the copy to start (child stderr: ${stderr})`,
    );
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    writer.destroy();

    assert.deepEqual(s.visible(), [], 'nothing at the destination');
    assert.equal(readdirSync(incoming).length, 1, 'the partial copy is hidden in the incoming directory');
    rmSync(fifo);
    writeFileSync(fifo, Buffer.concat([half, half]));
    const result = await importFiles(s.request({ from: fifo }));
    assert.deepEqual(result, { imported: ['employees_big.csv'], skipped: [], removedParts: 1 });
    assert.deepEqual(readdirSync(incoming), []);
    assert.equal(statSync(path.join(s.out, 'employees_big.csv')).size, 512 * 1024);
  });

  it('the upstream file not there yet: a retryable UpstreamFileMissing, nothing created', async () => {
    const s = scene();
    await assert.rejects(importFiles(s.request()), (error) => {
      assert.equal(failureType(error), 'UpstreamFileMissing');
      assert.equal((error as ApplicationFailure).nonRetryable, false);
      assert.match((error as Error).message, /no file there yet/);
      return true;
    });
    assert.equal(existsSync(s.out), false);
    assert.deepEqual(await importFiles(s.request({ minFiles: 0 })), { imported: [], skipped: [], removedParts: 0 });
  });

  it('paths outside the roots are refused, symlinks included, before anything is written', async () => {
    const s = scene();
    writeFileSync(path.join(s.inbox, 'employees_3.csv'), 'y\n');
    const outside = tempDir('outside');
    try {
      writeFileSync(path.join(outside.dir, 'secret.csv'), 'secret');
      symlinkSync(path.join(outside.dir, 'secret.csv'), path.join(s.inbox, 'employees_link.csv'));
      const refused = async (request: ImportRequest, pattern: RegExp) =>
        assert.rejects(importFiles(request), (error) => {
          assert.equal(failureType(error), 'PathOutsideRoots');
          assert.equal((error as ApplicationFailure).nonRetryable, true);
          assert.match((error as Error).message, pattern);
          return true;
        });
      await refused(s.request({ from: path.join(outside.dir, 'secret.csv') }), /outside the worker's file roots.*JOBNET_FILE_ROOTS/);
      await refused(s.request({ to: path.join(s.dir, '..', '..', 'elsewhere') }), /destination/);
      await refused(s.request(), /employees_link\.csv/);
      await refused(s.request({ from: path.join(s.inbox, 'employees_link.csv') }), /employees_link\.csv/);
      assert.equal(existsSync(s.out), false);
      await assert.rejects(importFiles(s.request({ from: path.join(s.dir, '*', 'x.csv') })), /wildcards are allowed in the file name only/);
    } finally {
      outside.cleanup();
    }
  });
});
