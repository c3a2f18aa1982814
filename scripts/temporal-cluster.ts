/**
 * A production-shaped Temporal on this machine, for `npm run cluster`, `npm run test:cluster`
 * and the benches' `--server cluster`: the Temporal server built from the Go module proxy
 * (scripts/provision-temporal-server.sh) over PostgreSQL — persistence and SQL visibility set
 * up with Temporal's own schema tool — as two server processes on loopback, each with all four
 * services (frontend, history, matching, worker), 4 history shards shared between them through
 * membership (ringpop, bootstrapped from the database), TLS on the frontends with a throwaway
 * CA, jobnet's dynamic config, and jobnet's search attributes registered as an operator would
 * (`temporal operator search-attribute create`).
 *
 * Why every service in each process rather than one process per service: the point is what
 * happens to running work when a node dies, and a node of a small production deployment is a
 * host running all services; killing one such process takes frontend, history shards and
 * matching partitions at once — the hardest case for the rest to take over. Two processes keep
 * the 2-core machine usable.
 *
 * Clients reach the cluster through a TCP front door on its own port that forwards each
 * connection to a frontend that answers (a load balancer's job in production), so a client
 * outlives the node it first talked to.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { freePort, temporalCliPath, DEV_SERVER_DYNAMIC_CONFIG } from './servers';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from './postgres-cluster';
import { JOBNET_SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_TYPE_NAMES } from '../src/contracts/search-attributes';

const ROOT = path.resolve(__dirname, '..');
const execFileAsync = promisify(execFile);
export const CLUSTER_SHARDS = 4;
export const CLUSTER_NAMESPACE = 'default';

/** The cache directory of the server build (binaries and schemas); builds it when missing unless `check`. */
export function temporalServerDir(check = false): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'provision-temporal-server.sh'), ...(check ? ['--check'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1)!;
}

export interface ClusterTls {
  caFile: string;
  serverName: string;
}

interface NodePorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface ClusterNode {
  name: string;
  /** This node's own frontend (TLS). */
  frontend: string;
  process: ChildProcess | null;
  logFile: string;
}

export interface TemporalCluster {
  /** The front door clients use (TLS), forwarding to a live frontend. */
  address: string;
  namespace: string;
  tls: ClusterTls;
  nodes: ClusterNode[];
  /** Environment for Temporal's environment configuration (envconfig): the address and the TLS files. */
  clientEnv: Record<string, string>;
  /** SIGKILL a node (a crash of its host). */
  killNode(index: number): Promise<void>;
  /** Start a node again on its config (it rejoins the membership and takes shards back). */
  startNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** What the caller got wrong (a port taken, PostgreSQL missing or unreachable): exit 2, nothing started. */
export class ClusterInputError extends Error {}

export interface ClusterOptions {
  /** Work directory: configs, certificates, logs, and the throwaway PostgreSQL when no URL is given. */
  dir: string;
  nodes?: number;
  /** An existing PostgreSQL to create the cluster's databases in (an admin URL); else a throwaway cluster in `dir`. */
  postgresUrl?: string;
  /** The front door's port on 127.0.0.1 (what clients use); default: any free port. */
  port?: number;
  log?: (line: string) => void;
}

export async function startTemporalCluster(options: ClusterOptions): Promise<TemporalCluster> {
  const say = options.log ?? (() => undefined);
  const nodeCount = options.nodes ?? 2;
  // Bad input is found before anything starts or builds.
  if (options.port !== undefined && !(await portIsFree(options.port))) {
    throw new ClusterInputError(`port ${options.port} on 127.0.0.1 is taken (another cluster or dev server?); choose another with --port`);
  }
  if (options.postgresUrl === undefined && postgresBinDir() === undefined) {
    throw new ClusterInputError(
      'PostgreSQL is not installed (no initdb): install it with `apt-get install -y postgresql`, set JOBNET_PG_BIN to its bin directory, or give an existing server as JOBNET_TEST_POSTGRES_URL',
    );
  }
  if (options.postgresUrl !== undefined) {
    await adminQuery(options.postgresUrl, ['SELECT 1']).catch((error: unknown) => {
      throw new ClusterInputError(`PostgreSQL at JOBNET_TEST_POSTGRES_URL cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  const serverDir = temporalServerDir();
  mkdirSync(options.dir, { recursive: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    // PostgreSQL: the cluster's two databases.
    let pgCluster: PostgresCluster | undefined;
    let adminUrl = options.postgresUrl;
    if (!adminUrl) {
      // Run as root, PostgreSQL runs as the postgres user, who must get through a 0700 mkdtemp work dir.
      chmodSync(options.dir, 0o711);
      pgCluster = await startPostgresCluster({ dir: path.join(options.dir, 'postgres'), durable: false });
      cleanups.push(() => pgCluster!.stop());
      adminUrl = pgCluster.url;
    }
    const admin = new URL(adminUrl);
    const suffix = randomBytes(4).toString('hex');
    const databases = { persistence: `temporal_${suffix}`, visibility: `temporal_${suffix}_visibility` };
    await adminQuery(adminUrl, [`CREATE DATABASE ${databases.persistence}`, `CREATE DATABASE ${databases.visibility}`]);
    cleanups.push(() =>
      adminQuery(adminUrl!, [
        `DROP DATABASE IF EXISTS ${databases.persistence} WITH (FORCE)`,
        `DROP DATABASE IF EXISTS ${databases.visibility} WITH (FORCE)`,
      ]).catch(() => undefined),
    );
    const db = {
      host: admin.hostname,
      port: admin.port || '5432',
      user: decodeURIComponent(admin.username || 'postgres'),
      password: decodeURIComponent(admin.password),
    };
    setupSchemas(serverDir, db, databases);
    say(`PostgreSQL ${db.host}:${db.port}: databases ${databases.persistence}, ${databases.visibility} set up with temporal-sql-tool`);

    const tls = makeCertificates(path.join(options.dir, 'tls'));
    const dynamicConfigFile = path.join(options.dir, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfigFile, dynamicConfigYaml());

    // Every port is distinct and below the ephemeral range (32768+): a port picked from that
    // range can be taken by the time its node starts, as the local end of one of the first node's
    // own outgoing connections (PostgreSQL, its peers), and the node exits "address already in use".
    const taken = new Set<number>();
    const ports: NodePorts[] = [];
    for (let i = 0; i < nodeCount; i++) ports.push(await pickNodePorts(taken));
    const writeConfig = (index: number) => {
      const root = path.join(options.dir, `node-${index + 1}`);
      mkdirSync(path.join(root, 'config'), { recursive: true });
      writeFileSync(
        path.join(root, 'config', 'development.yaml'),
        nodeConfigYaml({ ports: ports[index]!, first: ports[0]!, db, databases, tls, dynamicConfigFile }),
      );
    };
    const nodes: ClusterNode[] = ports.map((p, i) => {
      writeConfig(i);
      return { name: `node-${i + 1}`, frontend: `127.0.0.1:${p.frontend}`, process: null, logFile: path.join(options.dir, `node-${i + 1}.log`) };
    });

    const startNode = async (index: number) => {
      const node = nodes[index]!;
      const log = openSync(node.logFile, 'a');
      node.process = spawn(
        path.join(serverDir, 'temporal-server'),
        ['--root', path.join(options.dir, node.name), '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
        {
          stdio: ['ignore', log, log],
        },
      );
      closeSync(log);
      await waitForTlsFrontend(node.frontend, tls, 90_000, node);
    };
    // First start of a node: if one of its ports was taken after all (by a process outside this
    // cluster), it gets fresh ports and starts again, up to three times. The first node is started
    // before any other, so its new frontend can still go into every node's config.
    const bringUp = async (index: number) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await startNode(index);
          return;
        } catch (error) {
          if (!(error instanceof NodeStartError) || !error.portTaken || attempt >= 3) throw error;
          say(`${nodes[index]!.name} exited while starting: ${error.portTaken}; starting it again on fresh ports`);
          ports[index] = await pickNodePorts(taken);
          nodes[index]!.frontend = `127.0.0.1:${ports[index]!.frontend}`;
          if (index === 0) nodes.forEach((_, i) => writeConfig(i));
          else writeConfig(index);
        }
      }
    };
    const killNode = async (index: number) => {
      const child = nodes[index]!.process;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      nodes[index]!.process = null;
    };
    cleanups.push(async () => {
      await Promise.all(
        nodes.map(async (node) => {
          const child = node.process;
          if (!child || child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    });
    // The first node alone first: it creates the cluster metadata; the others join it.
    for (let i = 0; i < nodes.length; i++) {
      await bringUp(i);
      say(`${nodes[i]!.name} up: frontend ${nodes[i]!.frontend} (log ${nodes[i]!.logFile})`);
    }

    const door = await frontDoor(
      nodes.map((node) => node.frontend),
      options.port,
    );
    cleanups.push(() => door.close());
    const address = `127.0.0.1:${door.port}`;
    const clientEnv = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: CLUSTER_NAMESPACE,
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caFile,
      TEMPORAL_TLS_SERVER_NAME: tls.serverName,
    };
    await registerNamespace(address, tls);
    say(`namespace ${CLUSTER_NAMESPACE} and jobnet's search attributes registered (temporal operator …)`);

    return {
      address,
      namespace: CLUSTER_NAMESPACE,
      tls,
      nodes,
      clientEnv,
      killNode,
      startNode,
      stop: async () => {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    throw error;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A free port between 20000 and 32000, not yet given to this cluster: below the ephemeral range
 * (see where the ports are picked), and the server keeps membership ports in a PostgreSQL
 * `smallint` (cluster_membership.rpc_port), which an ephemeral port overflows.
 */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port) || !(await portIsFree(port))) continue;
    taken.add(port);
    return port;
  }
  throw new Error('no free port between 20000 and 32000 for the cluster');
}

async function pickNodePorts(taken: Set<number>): Promise<NodePorts> {
  const next = () => freeLowPort(taken);
  return {
    frontend: await next(),
    frontendHttp: await next(),
    frontendMembership: await next(),
    history: await next(),
    historyMembership: await next(),
    matching: await next(),
    matchingMembership: await next(),
    worker: await next(),
    workerMembership: await next(),
  };
}

/** A node that exited while starting, with the end of its log so the cause shows where the error is read (CI's excerpt). */
class NodeStartError extends Error {
  constructor(
    message: string,
    /** The log line saying which port was taken, if that is why. */
    readonly portTaken: string | undefined,
  ) {
    super(message);
  }
}

function logTail(file: string, lines = 15): string {
  try {
    // A fatal line carries its Go stack trace: each line clipped, so the message stays readable.
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
      .join('\n');
  } catch {
    return '(no log)';
  }
}

async function adminQuery(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

function setupSchemas(
  serverDir: string,
  db: { host: string; port: string; user: string; password: string },
  databases: { persistence: string; visibility: string },
): void {
  const tool = path.join(serverDir, 'temporal-sql-tool');
  const common = ['--plugin', 'postgres12', '--endpoint', db.host, '--port', db.port, '--user', db.user, ...(db.password ? ['--password', db.password] : [])];
  const run = (database: string, args: string[]) => execFileSync(tool, [...common, '--database', database, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const schema = path.join(serverDir, 'schema', 'postgresql', 'v12');
  for (const [database, name] of [
    [databases.persistence, 'temporal'],
    [databases.visibility, 'visibility'],
  ] as const) {
    run(database, ['setup-schema', '-v', '0.0']);
    run(database, ['update-schema', '-d', path.join(schema, name, 'versioned')]);
  }
}

/** A throwaway CA and a frontend certificate for localhost / 127.0.0.1 (openssl, from Debian). */
function makeCertificates(dir: string): ClusterTls & { certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '7',
    '-subj',
    '/CN=jobnet throwaway test CA',
  ]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('frontend.key'), '-out', file('frontend.csr'), '-subj', '/CN=localhost']);
  writeFileSync(file('frontend.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl([
    'x509',
    '-req',
    '-in',
    file('frontend.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('frontend.pem'),
    '-days',
    '7',
    '-extfile',
    file('frontend.ext'),
  ]);
  return { caFile: file('ca.pem'), serverName: 'localhost', certFile: file('frontend.pem'), keyFile: file('frontend.key') };
}

/** jobnet's dispatch settings (the dev server's, scripts/servers.ts) in the server's dynamic config format. */
function dynamicConfigYaml(): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) lines.push(`${key}:`, `  - value: ${JSON.stringify(value)}`);
  return `${lines.join('\n')}\n`;
}

function nodeConfigYaml(c: {
  ports: NodePorts;
  first: NodePorts;
  db: { host: string; port: string; user: string; password: string };
  databases: { persistence: string; visibility: string };
  tls: ClusterTls & { certFile: string; keyFile: string };
  dynamicConfigFile: string;
}): string {
  const store = (database: string, conns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${c.db.host}:${c.db.port}"
        connectProtocol: "tcp"
        user: "${c.db.user}"
        password: "${c.db.password}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, http?: number) => `    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: "127.0.0.1"${http === undefined ? '' : `\n      httpPort: ${http}`}`;
  return `# Written by scripts/temporal-cluster.ts for one node of a throwaway jobnet test cluster.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${CLUSTER_SHARDS}
  datastores:
    default:
${store(c.databases.persistence, 10)}
    visibility:
${store(c.databases.visibility, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  tls:
    frontend:
      server:
        certFile: "${c.tls.certFile}"
        keyFile: "${c.tls.keyFile}"
        requireClientAuth: false
      client:
        serverName: "${c.tls.serverName}"
        rootCaFiles:
          - "${c.tls.caFile}"
services:
  frontend:
${service(c.ports.frontend, c.ports.frontendMembership, c.ports.frontendHttp)}
  history:
${service(c.ports.history, c.ports.historyMembership)}
  matching:
${service(c.ports.matching, c.ports.matchingMembership)}
  worker:
${service(c.ports.worker, c.ports.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${c.first.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${c.dynamicConfigFile}"
  pollInterval: "10s"
`;
}

async function waitForTlsFrontend(address: string, tls: ClusterTls, timeoutMs: number, node: ClusterNode): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  const ca = readFileSync(tls.caFile);
  while (Date.now() < deadline) {
    if (node.process && node.process.exitCode !== null) {
      const tail = logTail(node.logFile);
      throw new NodeStartError(
        `${node.name} exited (${node.process.exitCode}) while starting; see ${node.logFile}; its last lines:\n${tail}`,
        tail.match(/listen tcp \S+ bind: address already in use/)?.[0] ?? (/address already in use/i.test(tail) ? 'address already in use' : undefined),
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s', tls: { serverNameOverride: tls.serverName, serverRootCACertificate: ca } });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`${node.name} (${address}) did not answer within ${timeoutMs} ms: ${String(lastError)}; see ${node.logFile}`);
}

/**
 * The namespace and jobnet's search attributes, through Temporal's CLI as an operator would, via
 * the front door. Asynchronous on purpose: the front door runs in this process's event loop.
 */
async function registerNamespace(address: string, tls: ClusterTls): Promise<void> {
  const cli = temporalCliPath();
  const connection = ['--address', address, '--tls-ca-path', tls.caFile, '--tls-server-name', tls.serverName];
  const run = (args: string[]) => execFileAsync(cli, [...args, ...connection], { encoding: 'utf8' });
  // Registering a namespace waits for the other nodes to hear of it; retried while they do.
  await retry(
    () => run(['operator', 'namespace', 'create', '--namespace', CLUSTER_NAMESPACE, '--retention', '72h']),
    /already (exists|registered)|AlreadyExists/,
  );
  for (const key of JOBNET_SEARCH_ATTRIBUTES) {
    await retry(
      () =>
        run(['operator', 'search-attribute', 'create', '--namespace', CLUSTER_NAMESPACE, '--name', key.name, '--type', SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]]),
      /already exists|AlreadyExists/,
    );
  }
}

async function retry(action: () => Promise<unknown>, done: RegExp, tries = 30): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await action();
      return;
    } catch (error) {
      const text = `${String((error as { stderr?: unknown }).stderr ?? '')} ${String(error)}`;
      if (done.test(text)) return;
      if (i >= tries) throw new Error(`temporal operator failed: ${text}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** A TCP front door: each connection goes to a frontend that accepts it, the nodes taken in turn. */
async function frontDoor(backends: string[], wanted?: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    // Spread connections over the nodes; one that refuses (a dead node) is skipped.
    const first = next++ % backends.length;
    const order = backends.map((_, i) => backends[(first + i) % backends.length]!);
    const tryBackend = (index: number) => {
      if (index >= order.length || client.destroyed) return void client.destroy();
      const [host, port] = order[index]!.split(':');
      const upstream = net.connect(Number(port), host!);
      let connected = false;
      upstream.once('error', () => {
        upstream.destroy();
        if (!connected) tryBackend(index + 1);
        else client.destroy();
      });
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        upstream.pipe(client);
        client.pipe(upstream);
      });
    };
    tryBackend(0);
  });
  const port = wanted ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ClusterInputError(`port ${port} on 127.0.0.1 was taken while the cluster started; choose another with --port`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
