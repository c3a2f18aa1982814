/**
 * The library under the CLI (src/index.ts): a script of one's own starts a jobnet run and reads
 * its state back through it alone, against the dev server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, jobnetRunInput, listRecentRuns, loadCatalog, readRunState, temporalTarget, triggerJobnet } from '../src';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { waitFor } from './helpers/fs';
import path from 'node:path';
import { writeFileSync } from 'node:fs';

let env: DevEnv;
before(async () => {
  env = await startDevEnv('library');
});
after(async () => {
  await env?.stop();
});

describe('jobnet as a library', () => {
  it('loads a catalog, starts a jobnet run once per date, reads its state and its history', async () => {
    const file = path.join(env.work.dir, 'jobnet.yaml');
    writeFileSync(
      file,
      'version: 1\njobs:\n  a: { command: ["true"] }\n  b: { command: ["true"] }\njobnets:\n  pair:\n    description: two steps\n    jobs:\n      a: { use: a }\n      b: { use: b, needs: [a] }\n',
    );
    const catalog = loadCatalog(file);
    const client = await connectClient(temporalTarget({ address: env.server.address }));
    try {
      const input = jobnetRunInput(catalog, 'pair', '2026-12-01', process.env, { routeEvents: true });
      const first = await triggerJobnet(client, { input, taskQueue: 'default' });
      assert.equal(first.started, true);
      assert.equal((await triggerJobnet(client, { input, taskQueue: 'default' })).started, false, 'once per business date');
      await first.handle.result();
      const state = await readRunState(client, 'pair@2026-12-01');
      assert.equal(state.kind, 'jobnet');
      assert.equal(state.kind === 'jobnet' ? state.state?.status : undefined, 'success');
      const runs = await waitFor(
        async () => {
          const listed = await listRecentRuns(client, 'pair');
          return listed.length > 0 && listed[0]!.status === 'success' ? listed : false;
        },
        30_000,
        'the run in visibility',
      );
      assert.equal(runs[0]!.workflowId, 'pair@2026-12-01');
    } finally {
      await client.connection.close();
    }
  });
});
