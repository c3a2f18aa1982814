import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * Where Temporal is: Temporal's own environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files, profiles in temporal.toml), overridden by
 * explicit options. The same code runs against the dev server, a cluster or Temporal Cloud.
 */
export interface TemporalTarget {
  connectionOptions: NativeConnectionOptions & { address: string };
  namespace: string;
}

export const DEFAULT_ADDRESS = 'localhost:7233';

export function temporalTarget(overrides: { address?: string; namespace?: string } = {}): TemporalTarget {
  const config = loadClientConnectConfig();
  const address = overrides.address ?? config.connectionOptions.address ?? DEFAULT_ADDRESS;
  return {
    connectionOptions: { ...config.connectionOptions, address },
    namespace: overrides.namespace ?? config.namespace ?? 'default',
  };
}

/** Exit codes shared by every jobnet command (DESIGN.md §6). */
export const ExitCode = { ok: 0, runFailed: 1, badInput: 2, temporalUnreachable: 3 } as const;
