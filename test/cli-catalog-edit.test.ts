/** `jobnet init`, `add` and `remove`: edits of the catalog file that keep what people wrote. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jobnet } from './helpers/cli';
import { tempDir } from './helpers/fs';

let work: ReturnType<typeof tempDir>;
before(() => (work = tempDir('catalog-edit')));
after(() => work.cleanup());

describe('catalog edits', () => {
  it("init writes seed 003's default jobs, and refuses to overwrite", async () => {
    const file = path.join(work.dir, 'init.yaml');
    const created = await jobnet('-c', file, 'init');
    assert.equal(created.code, 0, created.stderr);
    const plan = await jobnet('-c', file, '--json', 'plan', '--from', '2026-12-26T12:00:00+09:00', '--next', '1');
    assert.equal(plan.code, 0, plan.stderr);
    const schedules = (JSON.parse(plan.stdout) as { schedules: Array<{ name: string; schedule: string; enabled: boolean; nextRuns: string[] }> }).schedules;
    assert.deepEqual(
      schedules.map((s) => [s.name, s.schedule, s.enabled, s.nextRuns[0]]),
      [
        ['detection', 'every 1h', true, '2026-12-26T13:00:00+09:00'],
        ['analysis', 'daily at 02:00 Asia/Tokyo', true, '2026-12-27T02:00:00+09:00'],
        ['cleanup', 'weekly on sun at 03:00 Asia/Tokyo', true, '2026-12-27T03:00:00+09:00'],
        ['backup', 'daily at 01:00 Asia/Tokyo, disabled', false, '2026-12-27T01:00:00+09:00'],
      ],
    );
    const again = await jobnet('-c', file, 'init');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists already/);
  });

  it('add and remove keep comments and the order of the rest', async () => {
    const file = path.join(work.dir, 'edit.yaml');
    const original =
      '# our batch catalog\nversion: 1\njobs:\n  # the first job\n  first: { command: ["true"] }\n  last: { command: ["true"] } # trailing note\n';
    writeFileSync(file, original);
    const added = await jobnet(
      '-c',
      file,
      'add',
      'nightly',
      '--description',
      'nightly export',
      '--',
      'sh',
      '-c',
      'echo "$JOBNET_BUSINESS_DATE"',
      '--daily',
      '03:00',
    );
    assert.equal(added.code, 0, added.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# our batch catalog\n/);
    assert.match(text, /# the first job\n {2}first:/);
    assert.match(text, /# trailing note/);
    assert.ok(text.indexOf('first:') < text.indexOf('last:') && text.indexOf('last:') < text.indexOf('nightly:'));
    const plan = await jobnet('-c', file, '--json', 'plan', '--from', '2026-12-26T12:00:00+09:00', '--next', '1');
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual((JSON.parse(plan.stdout) as { schedules: Array<{ name: string; nextRuns: string[] }> }).schedules, [
      { name: 'nightly', kind: 'job', schedule: 'daily at 03:00 Asia/Tokyo', enabled: true, nextRuns: ['2026-12-27T03:00:00+09:00'] },
    ]);

    const duplicate = await jobnet('-c', file, 'add', 'nightly', '--', 'true');
    assert.equal(duplicate.code, 2);
    const removed = await jobnet('-c', file, 'remove', 'nightly');
    assert.equal(removed.code, 0, removed.stderr);
    const after = readFileSync(file, 'utf8');
    assert.doesNotMatch(after, /nightly/);
    assert.match(after, /# the first job/);
  });

  it('a bad edit changes nothing', async () => {
    const file = path.join(work.dir, 'bad-edit.yaml');
    const original = 'jobs:\n  a: { command: ["true"] }\n';
    writeFileSync(file, original);
    const bad = await jobnet('-c', file, 'add', 'b', '--', 'true', '--daily', '25:00');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /jobs\.b\.schedule/);
    const missing = await jobnet('-c', file, 'remove', 'nope');
    assert.equal(missing.code, 2);
    assert.equal(readFileSync(file, 'utf8'), original);
  });
});
