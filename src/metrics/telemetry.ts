import type { TelemetryOptions } from '@temporalio/worker';
import { InvalidInputError } from '../validation/validation-error';
import { JOBNET_HISTOGRAM_BUCKETS } from './names';

/** host:port, IPv4, a name or [IPv6]. */
const BIND_ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * Where the worker serves Prometheus metrics: `--metrics`, else JOBNET_METRICS_ADDRESS, else
 * nowhere. `off` turns it off explicitly. Several workers on one host need one port each.
 */
export function metricsAddress(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const source = flag !== undefined ? '--metrics' : 'JOBNET_METRICS_ADDRESS';
  const value = (flag ?? env.JOBNET_METRICS_ADDRESS ?? '').trim();
  if (value === '' || value === 'off') return undefined;
  const match = BIND_ADDRESS.exec(value);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) {
    throw new InvalidInputError([{ path: source, message: `"${value}" is not host:port (e.g. 0.0.0.0:9464 or 127.0.0.1:9464), or off` }], 'arguments');
  }
  return value;
}

/**
 * The SDK runtime's telemetry: its native logs forwarded to jobnet's logger (one stream), and
 * with an address its own runtime metrics plus jobnet's on one Prometheus endpoint (/metrics).
 */
export function telemetryOptions(options: { metricsAddress?: string }): TelemetryOptions {
  return {
    logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
    ...(options.metricsAddress
      ? {
          metrics: {
            prometheus: {
              bindAddress: options.metricsAddress,
              // Prometheus conventions: counters end in _total, durations are seconds.
              countersTotalSuffix: true,
              useSecondsForDurations: true,
              histogramBucketOverrides: JOBNET_HISTOGRAM_BUCKETS,
            },
          },
        }
      : {}),
  };
}
