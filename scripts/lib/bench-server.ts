/**
 * The Temporal a benchmark runs against (`--server dev|cluster`): the dev server of `npm run
 * dev` (one process, SQLite file), or the production-shaped cluster of `npm run cluster` (two
 * server processes over PostgreSQL, TLS; scripts/temporal-cluster.ts). Either way the bench gets
 * one client connection, the address its workers use, and the server processes for CPU and
 * memory figures. For the cluster, Temporal's environment configuration (address, TLS) is put
 * into this process's environment, so the workers it spawns connect as production workers do.
 */
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, startDevServer } from '../servers';
import { startTemporalCluster } from '../temporal-cluster';
import { peakRssMiB } from './bench-worker';

export const BENCH_SERVERS = ['dev', 'cluster'] as const;
export type BenchServerKind = (typeof BENCH_SERVERS)[number];

export interface BenchServer {
  kind: BenchServerKind;
  /** What the figures were measured on, for the saved report. */
  description: string;
  address: string;
  connection: Connection;
  /** The server's processes (the cluster's nodes; PostgreSQL counts as another program). */
  pids(): number[];
  /** The largest peak resident memory of its processes, MiB. */
  peakRssMiB(): number | null;
  stop(): Promise<void>;
}

export async function startBenchServer(kind: BenchServerKind, work: string): Promise<BenchServer> {
  if (kind === 'dev') {
    const server = await startDevServer({ dbFile: path.join(work, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
    const connection = await Connection.connect({ address: server.address });
    return {
      kind,
      description: 'temporal CLI dev server (SQLite file)',
      address: server.address,
      connection,
      pids: () => (server.process.pid === undefined ? [] : [server.process.pid]),
      peakRssMiB: () => peakRssMiB(server.process.pid),
      stop: async () => {
        await connection.close();
        await server.stop();
      },
    };
  }
  console.error('bench: starting the two-node PostgreSQL Temporal cluster (npm run cluster)…');
  // Run as root, the throwaway PostgreSQL runs as the postgres user, who must get through the mkdtemp work dir.
  chmodSync(work, 0o711);
  const cluster = await startTemporalCluster({ dir: path.join(work, 'cluster'), postgresUrl: process.env.JOBNET_TEST_POSTGRES_URL || undefined });
  Object.assign(process.env, cluster.clientEnv);
  const connection = await Connection.connect({
    address: cluster.address,
    tls: { serverNameOverride: cluster.tls.serverName, serverRootCACertificate: readFileSync(cluster.tls.caFile) },
  });
  const nodePids = () => cluster.nodes.flatMap((node) => (node.process?.pid === undefined ? [] : [node.process.pid]));
  return {
    kind,
    description: `Temporal server v1.29.1, ${cluster.nodes.length} nodes over PostgreSQL, TLS, through a TCP front door`,
    address: cluster.address,
    connection,
    pids: nodePids,
    peakRssMiB: () => Math.max(0, ...nodePids().map((pid) => peakRssMiB(pid) ?? 0)) || null,
    stop: async () => {
      await connection.close();
      await cluster.stop();
    },
  };
}
