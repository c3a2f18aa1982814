/**
 * The worker's runtime logger drops lines below jobnet's log level before the SDK's log
 * collector stamps and buffers them (src/temporal/runtime-log-gate.ts): checked against the
 * SDK's own collector, the one Runtime.install puts there when Core's logs are forwarded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Runtime } from '@temporalio/worker';
import type { LogLevel, Logger } from '@temporalio/common';
import { NativeLogCollector } from '@temporalio/worker/lib/runtime-logger';
import { gateRuntimeLogger } from '../src/temporal/runtime-log-gate';
import { sdkLogger, temporalLevel } from '../src/temporal/logger';

function recorder(): Logger & { lines: Array<{ level: LogLevel; message: string }> } {
  const lines: Array<{ level: LogLevel; message: string }> = [];
  return { lines, ...sdkLogger((level, message) => void lines.push({ level, message })) };
}

describe('runtime log gate', () => {
  it('keeps trace and debug lines out of the collector and passes the rest on, flushed', () => {
    const downstream = recorder();
    const collector = new NativeLogCollector(downstream);
    const runtime = { logger: collector.logger } as unknown as Runtime;
    try {
      gateRuntimeLogger(runtime, 'INFO');
      runtime.logger.trace('Got activity task');
      runtime.logger.debug('Activity started');
      runtime.logger.log('DEBUG', 'Activity completed');
      assert.equal((collector as unknown as { buffer: { size(): number } }).buffer.size(), 0, 'below the level: never buffered');
      runtime.logger.info('worker ready');
      runtime.logger.warn('Activity failed');
      runtime.logger.log('ERROR', 'poll failed');
      assert.equal(downstream.lines.length, 0, 'held by the collector until flushed');
      (runtime.logger as Logger & { flush(): void }).flush();
      assert.deepEqual(
        downstream.lines.map((line) => `${line.level} ${line.message}`),
        ['INFO worker ready', 'WARN Activity failed', 'ERROR poll failed'],
      );
    } finally {
      collector.close();
    }
  });

  it('maps pino levels to the SDK levels', () => {
    assert.equal(temporalLevel('debug'), 'DEBUG');
    assert.equal(temporalLevel('info'), 'INFO');
    assert.equal(temporalLevel('fatal'), 'ERROR');
    assert.equal(temporalLevel('silent'), 'ERROR');
  });
});
