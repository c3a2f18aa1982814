import pino from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type Logger = pino.Logger;

/**
 * Field and environment-variable names that hold secrets. A field with such a name is logged
 * as [redacted], and so is the value of every such environment variable wherever it shows up
 * in a log line (a command's output, an error message, a connection string).
 */
export const SECRET_NAME_PATTERN = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|WEBHOOK|CREDENTIAL|AUTHORIZATION|COOKIE|SMTP_?URL/i;
export const REDACTED = '[redacted]';
/** Shorter values are not scrubbed from text: "1" or "true" would redact half of every line. */
const MIN_SECRET_VALUE_LENGTH = 4;
/** Logged objects deeper than this are cut off; log lines are for people, not for dumps. */
const MAX_DEPTH = 8;
/** user:password@ in any URL (smtp://, postgres://, https://). */
const URL_CREDENTIALS = /(\/\/)[^/\s:@]+:[^/\s@]+@/g;

export interface RedactionRules {
  /** Keys whose values are never logged. */
  keyPattern: RegExp;
  /** More keys, from JOBNET_LOG_REDACT (exact names, case-insensitive). */
  keys: ReadonlySet<string>;
  /** Values of secret environment variables, longest first, scrubbed out of every string. */
  secretValues: readonly string[];
}

/**
 * The rules for one process: the fixed pattern, the operator's JOBNET_LOG_REDACT list
 * (comma-separated field or environment-variable names), and the secret values found in env.
 */
export function redactionRules(env: NodeJS.ProcessEnv = process.env): RedactionRules {
  const extra = (env.JOBNET_LOG_REDACT ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const keys = new Set(extra);
  const secretValues = Object.entries(env)
    .filter(
      ([name, value]) => value !== undefined && value.length >= MIN_SECRET_VALUE_LENGTH && (SECRET_NAME_PATTERN.test(name) || keys.has(name.toLowerCase())),
    )
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
  return { keyPattern: SECRET_NAME_PATTERN, keys, secretValues: [...new Set(secretValues)] };
}

export function scrubText(text: string, rules: RedactionRules): string {
  let out = text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  for (const secret of rules.secretValues) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

function isSecretKey(key: string, rules: RedactionRules): boolean {
  return rules.keyPattern.test(key) || rules.keys.has(key.toLowerCase());
}

/**
 * A copy of `value` that is safe to log. Errors become pino's serialized form (type, message,
 * stack) first, so their text is scrubbed too; the caller's objects are never modified.
 */
export function redact(value: unknown, rules: RedactionRules, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value, rules);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redact(pino.stdSerializers.err(value), rules, depth, seen);
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redact(item, rules, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretKey(key, rules) && item !== undefined && item !== null ? REDACTED : redact(item, rules, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Where log lines go and how they look: pretty for a person at a terminal, JSON for machines. */
function logFormat(): 'pretty' | 'json' {
  const format = process.env.JOBNET_LOG_FORMAT;
  if (format === 'json' || format === 'pretty') return format;
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/**
 * pino on stderr (stdout stays free for what a command prints as its result): JSON for
 * machines, pino-pretty when a person is watching a terminal (JOBNET_LOG_FORMAT=json|pretty
 * forces one). Every line goes through the redaction rules before it is written.
 */
export function createLogger(options: { name: string; level?: string; rules?: RedactionRules; destination?: pino.DestinationStream }): Logger {
  const level = options.level ?? process.env.JOBNET_LOG_LEVEL ?? 'info';
  const rules = options.rules ?? redactionRules();
  // Synchronous in both forms: the CLI and the worker call process.exit, which must not lose lines.
  const destination =
    options.destination ??
    (logFormat() === 'pretty'
      ? pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      name: options.name,
      level,
      // Errors are serialized (and scrubbed) by the hook below already; pino's own serializer
      // would take the plain result for an error again and rename its type to "Object".
      serializers: { err: (value: unknown) => value },
      hooks: {
        logMethod(args, method) {
          // An Error as the first argument becomes { err } with its message as the line's message.
          const [first, ...rest] = args as unknown[];
          if (first instanceof Error) {
            const message = typeof rest[0] === 'string' ? rest.shift() : first.message;
            return method.apply(this, [{ err: redact(first, rules) }, redact(message, rules), ...rest.map((arg) => redact(arg, rules))] as Parameters<
              typeof method
            >);
          }
          return method.apply(this, (args as unknown[]).map((arg) => redact(arg, rules)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** The Temporal SDK's level for a pino level (pino's fatal and silent: the SDK's highest). */
export function temporalLevel(level: string): LogLevel {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
  return levels[level] ?? 'ERROR';
}

/** The Temporal SDK's logger interface over pino, so worker, workflow and activity logs share one stream. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const levels: Record<LogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  return sdkLogger((level, message, meta) => logger[levels[level]](meta ?? {}, message));
}

/** The Temporal SDK's Logger interface made of one function that takes the level. */
export function sdkLogger(log: (level: LogLevel, message: string, meta?: LogMetadata) => void): TemporalLogger {
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
