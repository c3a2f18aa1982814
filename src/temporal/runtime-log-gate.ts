import type { Runtime } from '@temporalio/worker';
import type { LogLevel, Logger as TemporalLogger } from '@temporalio/common';
import { sdkLogger } from './logger';

/** The SDK's collector can also be flushed and closed (the runtime does both at shutdown). */
type FlushableLogger = TemporalLogger & { flush?: () => void; close?: () => void };

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * With Core's logs forwarded into jobnet's stream, the SDK's runtime logger is a collector at
 * TRACE: every trace and debug line of the worker and its activities (several per activity
 * task) is stamped with a native clock read, kept in a heap for 100 ms and only then handed to
 * pino, which drops it. This puts the level check first, where it costs nothing: the runtime's
 * logger is replaced by one that passes on only lines at `level` or above (the SDK's documented
 * way to give workers a logger is to set `Runtime.logger`). Flushing and closing still reach the collector.
 */
export function gateRuntimeLogger(runtime: Runtime, level: LogLevel): void {
  const inner = runtime.logger as FlushableLogger;
  const min = SEVERITY[level];
  const gated: FlushableLogger = {
    ...sdkLogger((at, message, meta) => {
      if (SEVERITY[at] >= min) inner.log(at, message, meta);
    }),
    ...(inner.flush ? { flush: () => inner.flush!() } : {}),
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
  (runtime as { logger: TemporalLogger }).logger = gated;
}
