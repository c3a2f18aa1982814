/**
 * `npm run bench:ranking` — seed 001's BATCH-001 at full size (100,000 users, 3,000,000 orders)
 * on PostgreSQL and on PGlite, timed side by side with one hand-written statement doing the
 * same work (DELETE + INSERT … SELECT in one transaction). Both must leave identical Rankings;
 * the figure that matters is the ratio (DESIGN.md §9: ≤ 1.5× on PostgreSQL).
 *
 *   npm run bench:ranking [-- --users 100000 --orders 3000000 --repeat 5 --engines postgres,pglite]
 *
 * PostgreSQL: $JOBNET_BENCH_POSTGRES_URL (an empty database it may fill), else a throwaway
 * cluster from the machine's packages with default durability. PGlite: a fresh data directory
 * on disk, as the embedded default keeps it. Figures go to stdout and to
 * .data/bench/ranking-<time>.json (and ranking-latest.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';
import { seedDemoData } from '../src/activities/ranking/demo-data';
import { RANKED_USERS_SQL, rankingsChecksum, updateRankings } from '../src/activities/ranking/update-rankings';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster';

const ROOT = path.resolve(__dirname, '..');
const DATE = '2026-03-31';
const ARGS = { windowDays: 30, timezone: 'Asia/Tokyo', batchSize: 1000 };

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    orders: { type: 'string', default: '3000000' },
    repeat: { type: 'string', default: '5' },
    engines: { type: 'string', default: 'postgres,pglite' },
  },
});
const USERS = Number(values.users);
const ORDERS = Number(values.orders);
const REPEAT = Number(values.repeat);
const ENGINES = values.engines.split(',').map((e) => e.trim()) as ('postgres' | 'pglite')[];
for (const [name, value] of [
  ['users', USERS],
  ['orders', ORDERS],
  ['repeat', REPEAT],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench:ranking: --${name} must be a whole number ≥ 1`);
    process.exit(2);
  }
}
if (ENGINES.some((e) => e !== 'postgres' && e !== 'pglite')) {
  console.error('bench:ranking: --engines is a list of postgres and pglite');
  process.exit(2);
}

/** The hand-written baseline: what a DBA would write for the same result. */
async function handWritten(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM rankings WHERE business_date = $1', [DATE]);
    await tx.query(
      `INSERT INTO rankings (business_date, user_id, rank, score, order_count)
       SELECT $1::date, user_id, rank, score, order_count FROM (${RANKED_USERS_SQL.replaceAll('$1', '$1::date')}) ranked`,
      [DATE, ARGS.windowDays, ARGS.timezone],
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface EngineFigures {
  engine: string;
  version: string;
  seedMs: number;
  batch001Ms: number[];
  handWrittenMs: number[];
  medianBatch001Ms: number;
  medianHandWrittenMs: number;
  ratio: number;
  records: number;
  checksum: string;
}

async function benchEngine(engine: 'postgres' | 'pglite'): Promise<EngineFigures> {
  let cluster: PostgresCluster | undefined;
  const pgliteDir = path.join(os.tmpdir(), `jobnet-bench-pglite-${process.pid}`);
  let db: Database;
  if (engine === 'postgres') {
    const url =
      process.env.JOBNET_BENCH_POSTGRES_URL ??
      (cluster = await startPostgresCluster({ dir: path.join(os.tmpdir(), `jobnet-bench-pg-${process.pid}`), durable: true })).url;
    db = openPostgres(url);
  } else {
    db = await openPglite(pgliteDir);
  }
  try {
    await migrate(db, 'jobnet');
    await migrate(db, 'examples');
    const version = (await db.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' on ')[0]!;
    console.log(`\n${engine} (${version}): seeding ${USERS.toLocaleString('en-US')} users and ${ORDERS.toLocaleString('en-US')} orders…`);
    const seedMs = await timed(() => seedDemoData(db, { users: USERS, orders: ORDERS, until: DATE, days: 60, seed: 1 }));
    console.log(`  seeded in ${seconds(seedMs)} s`);

    // One untimed run of each warms the caches, so neither side pays for the first read.
    await updateRankings(db, { ...ARGS, businessDate: DATE, runKey: `bench-warm-${Date.now()}` });
    await handWritten(db);
    const batch001Ms: number[] = [];
    const handWrittenMs: number[] = [];
    let checksum = '';
    for (let round = 1; round <= REPEAT; round++) {
      // Alternating, so a slow moment of the machine does not fall on one side only.
      batch001Ms.push(await timed(() => updateRankings(db, { ...ARGS, businessDate: DATE, runKey: `bench-${Date.now()}-${round}` })));
      const ours = await rankingsChecksum(db, DATE);
      handWrittenMs.push(await timed(() => handWritten(db)));
      const theirs = await rankingsChecksum(db, DATE);
      if (ours.checksum !== theirs.checksum || ours.rows !== USERS) throw new Error(`round ${round}: BATCH-001 and the hand-written statement disagree`);
      checksum = ours.checksum;
      console.log(`  round ${round}: BATCH-001 ${seconds(batch001Ms.at(-1)!)} s, hand-written INSERT … SELECT ${seconds(handWrittenMs.at(-1)!)} s`);
    }
    const figures: EngineFigures = {
      engine,
      version,
      seedMs,
      batch001Ms,
      handWrittenMs,
      medianBatch001Ms: median(batch001Ms),
      medianHandWrittenMs: median(handWrittenMs),
      ratio: median(batch001Ms) / median(handWrittenMs),
      records: USERS,
      checksum,
    };
    return figures;
  } finally {
    await db.close();
    await cluster?.stop();
    if (engine === 'pglite') {
      const { rmSync } = await import('node:fs');
      rmSync(pgliteDir, { recursive: true, force: true });
      rmSync(`${pgliteDir}.lock`, { force: true });
    }
  }
}

async function main(): Promise<void> {
  const results: EngineFigures[] = [];
  for (const engine of ENGINES) results.push(await benchEngine(engine));
  console.log(
    `\nBATCH-001 ranking update, ${USERS.toLocaleString('en-US')} users × ${ORDERS.toLocaleString('en-US')} orders, median of ${REPEAT}, on ${os.cpus().length} CPUs:`,
  );
  console.log('engine     BATCH-001   INSERT…SELECT   ratio   target');
  for (const r of results) {
    const target = r.engine === 'postgres' ? (r.ratio <= 1.5 ? '≤ 1.5× met' : '≤ 1.5× MISSED') : '(none)';
    console.log(
      `${r.engine.padEnd(10)} ${`${seconds(r.medianBatch001Ms)} s`.padStart(9)}   ${`${seconds(r.medianHandWrittenMs)} s`.padStart(13)}   ${r.ratio.toFixed(2).padStart(5)}×  ${target}`,
    );
  }
  if (results.length === 2 && results[0]!.checksum !== results[1]!.checksum) throw new Error('PostgreSQL and PGlite produced different rankings');
  const report = {
    benchmark: 'ranking',
    date: new Date().toISOString(),
    users: USERS,
    orders: ORDERS,
    repeat: REPEAT,
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    results,
  };
  const dir = path.join(ROOT, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `ranking-${report.date.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, 'ranking-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nsaved ${path.relative(ROOT, file)}`);
}

main().catch((error: Error) => {
  console.error(`bench:ranking: ${error.stack ?? error.message}`);
  process.exit(1);
});
