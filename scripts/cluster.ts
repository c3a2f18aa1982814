/**
 * `npm run cluster` — a production-shaped Temporal on this machine (scripts/temporal-cluster.ts:
 * two server processes over PostgreSQL, 4 history shards, TLS on the frontends), up until
 * Ctrl-C. Prints what a client or worker needs as exports of Temporal's environment
 * configuration (address, namespace, TLS CA and server name): paste them in another terminal.
 *
 *   npm run cluster [-- --nodes 2 --port 7333 --dir /tmp/jobnet-cluster]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLUSTER_SHARDS, ClusterInputError, startTemporalCluster } from './temporal-cluster';

/** The front door's default port: beside the dev server's 7233, so both can run. */
const DEFAULT_PORT = 7333;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { nodes: { type: 'string', default: '2' }, dir: { type: 'string' }, port: { type: 'string', default: String(DEFAULT_PORT) } },
  });
  const nodes = Number(values.nodes);
  const port = Number(values.port);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 5) throw new ClusterInputError('--nodes is a whole number from 1 to 5');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ClusterInputError(`--port is a TCP port (1–65535); got "${values.port}"`);
  const dir = values.dir ?? mkdtempSync(path.join(os.tmpdir(), 'jobnet-cluster-'));
  // A directory made here goes with a failed start: nothing is left behind.
  if (values.dir === undefined) madeDir = dir;
  const say = (line: string) => console.error(`cluster: ${line}`);
  say(`starting ${nodes} Temporal server node(s) over PostgreSQL in ${dir} (the first build of the server takes minutes)…`);
  const cluster = await startTemporalCluster({ dir, nodes, port, postgresUrl: process.env.JOBNET_TEST_POSTGRES_URL, log: say });
  say(`ready: ${nodes} nodes, ${CLUSTER_SHARDS} history shards, front door ${cluster.address} (TLS, CA ${cluster.tls.caFile})`);
  console.log(
    Object.entries(cluster.clientEnv)
      .map(([key, value]) => `export ${key}=${value}`)
      .join('\n'),
  );
  say('in another terminal: paste the exports above, then `npm run worker` and `npx jobnet …`; Ctrl-C stops the cluster');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await new Promise(() => undefined);
}

let madeDir: string | undefined;

main().catch((error: unknown) => {
  if (madeDir !== undefined) rmSync(madeDir, { recursive: true, force: true });
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ClusterInputError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
});
