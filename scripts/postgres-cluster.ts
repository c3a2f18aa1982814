/**
 * A throwaway PostgreSQL cluster from the machine's own packages (Debian: postgresql, binaries
 * in /usr/lib/postgresql/<major>/bin), for tests and the benchmark: initdb into a directory,
 * start on a free loopback port, trust authentication, stop and delete when done. As root the
 * server runs as the `postgres` user (PostgreSQL refuses to run as root).
 *
 *   node --import tsx scripts/postgres-cluster.ts start <dir>   prints the URL (cluster keeps running)
 *   node --import tsx scripts/postgres-cluster.ts stop <dir>
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './servers';

/** Where initdb and pg_ctl are: $JOBNET_PG_BIN, else the newest /usr/lib/postgresql/<major>/bin, else `pg_config --bindir`. */
export function postgresBinDir(): string | undefined {
  const explicit = process.env.JOBNET_PG_BIN;
  if (explicit) return existsSync(path.join(explicit, 'initdb')) ? explicit : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = path.join(debian, major, 'bin');
      if (existsSync(path.join(bin, 'initdb'))) return bin;
    }
  }
  const fromPgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const bin = fromPgConfig.status === 0 ? fromPgConfig.stdout.trim() : '';
  return bin && existsSync(path.join(bin, 'initdb')) ? bin : undefined;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL program as the user that may run it. */
function pgRun(bin: string, program: string, args: string[]): void {
  const file = path.join(bin, program);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
}

export interface PostgresCluster {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  dir: string;
  /** false (tests): fsync off — a crash of the machine may lose data, a crash of a client never does. */
  durable?: boolean;
}

export async function startPostgresCluster(options: ClusterOptions): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb); install it with: apt-get install -y postgresql');
  const dir = path.resolve(options.dir);
  const data = path.join(dir, 'data');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  pgRun(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses=127.0.0.1`,
    ...(options.durable === false ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  pgRun(bin, 'pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', settings, 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  writeFileSync(path.join(dir, 'url'), url);
  return { url, dir, stop: async () => stopPostgresCluster(dir) };
}

export async function stopPostgresCluster(dir: string): Promise<void> {
  const bin = postgresBinDir();
  const data = path.join(path.resolve(dir), 'data');
  if (bin && existsSync(path.join(data, 'postmaster.pid'))) {
    try {
      pgRun(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

export function clusterUrl(dir: string): string {
  return readFileSync(path.join(path.resolve(dir), 'url'), 'utf8').trim();
}

if (require.main === module) {
  const [verb, dir] = process.argv.slice(2);
  if (!dir || (verb !== 'start' && verb !== 'stop')) {
    process.stderr.write('usage: postgres-cluster.ts start|stop <dir>\n');
    process.exit(2);
  }
  const done =
    verb === 'start' ? startPostgresCluster({ dir, durable: false }).then((cluster) => process.stdout.write(`${cluster.url}\n`)) : stopPostgresCluster(dir);
  done.catch((error: Error) => {
    process.stderr.write(`postgres-cluster: ${error.message}\n`);
    process.exit(1);
  });
}
