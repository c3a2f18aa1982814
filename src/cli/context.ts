import type { Client } from '@temporalio/client';
import type { Catalog } from '../catalog/schema/catalog-schema';
import { catalogPath, loadCatalog } from '../catalog/load/load';
import { connectClient } from '../temporal/client';
import { temporalTarget } from '../temporal/connection';
import { createLogger, type Logger } from '../temporal/logger';

export interface GlobalOptions {
  catalog?: string;
  address?: string;
  namespace?: string;
  json?: boolean;
  logLevel?: string;
}

/** Where a command writes: injected, so tests read exactly what an operator would see. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/**
 * What every command may need, loaded only when asked for: `plan` never connects to Temporal,
 * and a bad catalog is reported before any connection is tried.
 */
export class CliContext {
  private catalogCache?: Catalog;
  private clientCache?: Promise<Client>;
  private loggerCache?: Logger;

  constructor(
    readonly options: GlobalOptions,
    readonly output: Output,
  ) {}

  get catalogFile(): string {
    return catalogPath(this.options.catalog);
  }

  catalog(): Catalog {
    this.catalogCache ??= loadCatalog(this.catalogFile);
    return this.catalogCache;
  }

  /**
   * The zone every time in the CLI's output is shown in, with its offset: the catalog's, else
   * (no catalog here, or one that does not load) UTC — `status` of a run works without one.
   */
  timeZone(): string {
    try {
      return this.catalog().timezone;
    } catch {
      return 'UTC';
    }
  }

  /** pino on stderr at -l/--log-level (else $JOBNET_LOG_LEVEL, else info), redacting secrets. */
  logger(): Logger {
    this.loggerCache ??= createLogger({ name: 'jobnet', ...(this.options.logLevel === undefined ? {} : { level: this.options.logLevel }) });
    return this.loggerCache;
  }

  client(): Promise<Client> {
    this.clientCache ??= connectClient(temporalTarget({ address: this.options.address, namespace: this.options.namespace }));
    return this.clientCache;
  }

  async close(): Promise<void> {
    if (this.clientCache) await (await this.clientCache.catch(() => undefined))?.connection.close();
  }

  json(value: unknown): void {
    this.output.out(JSON.stringify(value, null, 2));
  }
}

/** A run that ended badly: exit code 1 (DESIGN.md §6). */
/**
 * What `jobnet run` says of the run it started or found (a run exists once per business date);
 * with --json and no --wait, also its id. True when the caller is to wait for the run.
 */
export function reportStart(context: CliContext, start: { handle: { workflowId: string }; started: boolean }, wait: boolean | undefined): boolean {
  const { workflowId } = start.handle;
  context.output.err(
    start.started ? `started ${workflowId}` : `${workflowId} exists already for this business date; not started again (--force starts another run)`,
  );
  if (!wait && context.options.json) context.json({ workflowId, started: start.started });
  return wait === true;
}

export class RunFailedError extends Error {
  override readonly name = 'RunFailed';
}
