import pino from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type Logger = pino.Logger;

/**
 * pino JSON on stderr for machines; pino-pretty when a person is watching a terminal.
 * stdout stays free for what a command prints as its result.
 */
export function createLogger(options: { name: string; level?: string }): Logger {
  const level = options.level ?? process.env.JOBNET_LOG_LEVEL ?? 'info';
  const pretty = process.stderr.isTTY && process.env.JOBNET_LOG_FORMAT !== 'json';
  return pino({
    name: options.name,
    level,
    redact: { paths: ['*.password', '*.apiKey', '*.token', '*.webhookUrl', '*.smtpUrl'], censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  }, pretty ? undefined : pino.destination(2));
}

/** The Temporal SDK's logger interface over pino, so worker, workflow and activity logs share one stream. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const levels: Record<LogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[level]](meta ?? {}, message);
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
