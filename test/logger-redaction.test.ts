/**
 * Log lines never carry secrets: fields with secret names, fields the operator lists in
 * JOBNET_LOG_REDACT, the values of secret environment variables wherever they appear (messages,
 * command output, error stacks) and passwords in URLs. Checked on the bytes pino writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactionRules, temporalLogger, type RedactionRules } from '../src/temporal/logger';

const WEBHOOK = 'https://hooks.slack.example/services/T000/B000/XyZ123secret';
const DB_PASSWORD = 'pg-pass-8e1f';
const env = {
  SLACK_WEBHOOK_URL: WEBHOOK,
  PGPASSWORD: DB_PASSWORD,
  PATH: '/usr/bin',
  HOME: '/home/ops',
  JOBNET_LOG_REDACT: 'customer_email, PHONE',
  SHORT_TOKEN: 'abc',
};

function capture(rules: RedactionRules = redactionRules(env)) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'debug', rules, destination });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, records, text: () => lines.join('\n') };
}

describe('log redaction', () => {
  it('censors fields with secret names at any depth and leaves the others', () => {
    const { logger, records } = capture();
    const job = {
      command: ['node', 'import.js'],
      env: { API_TOKEN: 'x1', SMTP_URL: 'smtp://a', PATH: '/bin' },
      channel: { webhookUrl: WEBHOOK, password: 'p', apiKey: 'k' },
    };
    logger.info({ job }, 'starting');
    const [line] = records();
    assert.deepEqual(line!.job, {
      command: ['node', 'import.js'],
      env: { API_TOKEN: '[redacted]', SMTP_URL: '[redacted]', PATH: '/bin' },
      channel: { webhookUrl: '[redacted]', password: '[redacted]', apiKey: '[redacted]' },
    });
    assert.equal(line!.msg, 'starting');
    assert.equal(job.env.API_TOKEN, 'x1', "the caller's object is not modified");
  });

  it('censors the fields listed in JOBNET_LOG_REDACT, case-insensitively', () => {
    const { logger, records } = capture();
    logger.info({ row: { customer_email: 'a@b.example', phone: '03-1234', id: 7 } }, 'imported');
    assert.deepEqual(records()[0]!.row, { customer_email: '[redacted]', phone: '[redacted]', id: 7 });
  });

  it('scrubs the values of secret environment variables from messages, output and nested strings', () => {
    const { logger, text } = capture();
    logger.warn({ output: `POST ${WEBHOOK} -> 500`, argv: ['psql', `--password=${DB_PASSWORD}`] }, `notify to ${WEBHOOK} failed`);
    const written = text();
    assert.ok(!written.includes(WEBHOOK) && !written.includes('XyZ123secret'), written);
    assert.ok(!written.includes(DB_PASSWORD), written);
    assert.match(written, /notify to \[redacted\] failed/);
    assert.match(written, /--password=\[redacted\]/);
    // Non-secret variables and short values are left alone.
    assert.ok(redactionRules(env).secretValues.every((value) => value !== '/usr/bin' && value !== 'abc'));
  });

  it('scrubs passwords in URLs', () => {
    const { logger, records } = capture();
    logger.info({ target: 'postgres://batch:s3cr3t@db:5432/app' }, 'connect smtp://mailer:hunter2@mail:587');
    const [line] = records();
    assert.equal(line!.target, 'postgres://[redacted]@db:5432/app');
    assert.equal(line!.msg, 'connect smtp://[redacted]@mail:587');
  });

  it('keeps errors readable (type, message, stack) with the secret scrubbed', () => {
    const { logger, records } = capture();
    const error = new TypeError(`cannot reach ${WEBHOOK}`);
    logger.error(error);
    logger.error({ err: error, job: 'notify' }, 'delivery failed');
    const [first, second] = records();
    for (const line of [first!, second!]) {
      const err = line.err as { type: string; message: string; stack: string };
      assert.equal(err.type, 'TypeError');
      assert.equal(err.message, 'cannot reach [redacted]');
      assert.match(err.stack, /^TypeError: cannot reach \[redacted\]\n\s+at /);
    }
    assert.equal(first!.msg, 'cannot reach [redacted]');
    assert.equal(second!.msg, 'delivery failed');
  });

  it('applies to what the Temporal SDK logs through the adapter', () => {
    const { logger, records } = capture();
    temporalLogger(logger).warn(`Activity failed: ${DB_PASSWORD}`, { taskQueue: 'default', credentials: { token: 't' } });
    const [line] = records();
    assert.equal(line!.msg, 'Activity failed: [redacted]');
    assert.equal(line!.credentials, '[redacted]');
    assert.equal(line!.taskQueue, 'default');
    assert.equal(line!.level, 40);
  });

  it('survives cycles', () => {
    const { logger, records } = capture();
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    logger.info({ node }, 'cyclic');
    assert.deepEqual(records()[0]!.node, { name: 'a', self: '[circular]' });
  });
});
