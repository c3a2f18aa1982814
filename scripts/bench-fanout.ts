/**
 * `npm run bench:fanout` — seed 004's fan-out on the dev server, against its own baseline:
 *
 * 1. speed-up: the same workload — M partitions whose step waits `--io-ms` (200 ms) on an
 *    outside service (`simulatedCall`) — as one sequential loop (the monthly batch before
 *    seed 004's rewrite) and as a fan-out with maxParallel 1 / 4 / 16 / 64;
 * 2. orchestration throughput: N trivial partitions (the same activity with 0 ms) at
 *    maxParallel 64, in partitions per second.
 *
 * Each with one worker process and with two on the same queue. DESIGN.md §9's targets: ≥ 20×
 * at maxParallel 64 for the 200 ms step; ≥ 100 partitions/s for trivial steps.
 *
 *   npm run bench:fanout [-- --io-partitions 200 --io-ms 200 --trivial 2000 --parallel 1,4,16,64 --workers 1,2]
 *
 * Figures go to stdout and to .data/bench/fanout-<time>.json (and fanout-latest.json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Connection, type Client } from '@temporalio/client';
import type { FanoutRunInput } from '../src/catalog/fanout-input';
import { fanoutOutcome } from '../src/cli/fanout-runs';
import { freePort, startDevServer } from './servers';
import { startBenchWorker } from './lib/bench-worker';
import { jobnetClient } from '../src/client';
import { codecSettings } from '../src/codec/keys';

const ROOT = path.resolve(__dirname, '..');
const QUEUE = 'bench-fanout';

const { values } = parseArgs({
  options: {
    'io-partitions': { type: 'string', default: '200' },
    'io-ms': { type: 'string', default: '200' },
    trivial: { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '1,4,16,64' },
    workers: { type: 'string', default: '1,2' },
  },
});
const IO_PARTITIONS = Number(values['io-partitions']);
const IO_MS = Number(values['io-ms']);
const TRIVIAL = Number(values.trivial);
const PARALLEL = values.parallel.split(',').map(Number);
const WORKERS = values.workers.split(',').map(Number);
if (![IO_PARTITIONS, IO_MS, TRIVIAL, ...PARALLEL, ...WORKERS].every((n) => Number.isInteger(n) && n >= 0) || PARALLEL.some((p) => p < 1) || WORKERS.some((w) => w < 1)) {
  console.error('bench:fanout: the options are whole numbers (lists comma-separated); maxParallel and workers ≥ 1');
  process.exit(2);
}

interface Figure {
  workers: number;
  workload: string;
  partitions: number;
  maxParallel: number | null;
  seconds: number;
  partitionsPerSecond: number;
  speedUp: number | null;
  continuedAsNew: number;
}

function input(name: string, partitions: number, ms: number, maxParallel: number): FanoutRunInput {
  return {
    name,
    businessDate: '2026-12-01',
    source: { kind: 'items', items: Array.from({ length: partitions }, (_, i) => `p${i}`) },
    item: { name: 'bench-step', job: { activity: { name: 'simulatedCall', args: { ms } }, timeout: '5m', retry: { attempts: 3, interval: '1s' } } },
    maxParallel,
  };
}

let runs = 0;
async function timeFanout(client: Client, partitions: number, ms: number, maxParallel: number): Promise<{ seconds: number; continuedAsNew: number }> {
  const started = performance.now();
  const handle = await client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId: `bench-${++runs}@2026-12-01`, args: [input(`bench-${runs}`, partitions, ms, maxParallel)] });
  const result = await fanoutOutcome(handle);
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 'success' || result.succeeded !== partitions) throw new Error(`bench run ${handle.workflowId} ended ${result.status}: ${result.succeeded} of ${partitions}`);
  return { seconds, continuedAsNew: result.continuedAsNew };
}

/** The monthly batch before the rewrite: one loop, one company after another. */
async function sequential(partitions: number, ms: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < partitions; i++) await new Promise((resolve) => setTimeout(resolve, ms));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'jobnet-bench-fanout-'));
  const server = await startDevServer({ dbFile: path.join(work, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  const connection = await Connection.connect({ address: server.address });
  const client = jobnetClient(connection);
  const figures: Figure[] = [];
  const print = (f: Figure) =>
    console.log(
      `${String(f.workers).padStart(2)} worker(s)  ${f.workload.padEnd(18)} ${String(f.partitions).padStart(6)} partitions  maxParallel ${String(f.maxParallel ?? '-').padStart(3)}  ` +
        `${f.seconds.toFixed(2).padStart(7)} s  ${f.partitionsPerSecond.toFixed(1).padStart(7)}/s${f.speedUp === null ? '' : `  speed-up ${f.speedUp.toFixed(1)}×`}${f.continuedAsNew ? `  (continued as new ${f.continuedAsNew}×)` : ''}`,
    );
  try {
    const seq = await sequential(IO_PARTITIONS, IO_MS);
    const baseline: Figure = { workers: 0, workload: `${IO_MS} ms step`, partitions: IO_PARTITIONS, maxParallel: null, seconds: seq, partitionsPerSecond: IO_PARTITIONS / seq, speedUp: 1, continuedAsNew: 0 };
    figures.push(baseline);
    console.log(`sequential loop: ${IO_PARTITIONS} × ${IO_MS} ms`);
    print(baseline);
    for (const count of WORKERS) {
      const workers = await Promise.all(Array.from({ length: count }, () => startBenchWorker({ address: server.address, queue: QUEUE, args: ['--max-activities', '200'] })));
      try {
        // A warm-up, so bundling and the first workflow tasks are not in the first figure.
        await timeFanout(client, 20, 0, 8);
        for (const maxParallel of PARALLEL) {
          const { seconds, continuedAsNew } = await timeFanout(client, IO_PARTITIONS, IO_MS, maxParallel);
          const figure = { workers: count, workload: `${IO_MS} ms step`, partitions: IO_PARTITIONS, maxParallel, seconds, partitionsPerSecond: IO_PARTITIONS / seconds, speedUp: seq / seconds, continuedAsNew };
          figures.push(figure);
          print(figure);
        }
        if (TRIVIAL > 0) {
          const { seconds, continuedAsNew } = await timeFanout(client, TRIVIAL, 0, 64);
          const figure = { workers: count, workload: 'trivial step', partitions: TRIVIAL, maxParallel: 64, seconds, partitionsPerSecond: TRIVIAL / seconds, speedUp: null, continuedAsNew };
          figures.push(figure);
          print(figure);
        }
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
    }
  } finally {
    await connection.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const report = { at: new Date().toISOString(), host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, server: 'temporal CLI dev server (SQLite file)', codec: codecSettings().mode, figures };
  const dir = path.join(ROOT, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `fanout-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, 'fanout-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures saved to ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error(`bench:fanout: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
