/**
 * `${NAME}` interpolation: resolved at load where the variable is set, deferred where it is
 * not, and resolved (or refused) where the value is finally used.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  TemplateSyntaxError,
  UnsetVariableError,
  asWritten,
  interpolate,
  interpolateTree,
  isDeferred,
  loadTimeValue,
  resolveSecret,
  unsetVariables,
} from '../src/catalog/interpolate';
import { parseCatalog } from '../src/catalog/load';
import { jobSpecOf } from '../src/catalog/job-spec';
import { InvalidInputError } from '../src/catalog/validation-error';

describe('interpolate', () => {
  const env = { HOME: '/home/ops', EMPTY: '', MODE: 'full' };
  const cases: Array<[string, string]> = [
    ['${HOME}/in', '/home/ops/in'],
    ['${MODE:-quick}', 'full'],
    ['${UNSET:-quick}', 'quick'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['[${EMPTY}]', '[]'],
    ['${UNSET:-}', ''],
    ['$${HOME}', '${HOME}'],
    ['echo $${HOME} is ${HOME}', 'echo ${HOME} is /home/ops'],
    ['$(date) $1 $HOME $ {HOME} $$', '$(date) $1 $HOME $ {HOME} $$'],
    ['${HOME}${MODE}', '/home/opsfull'],
    ['${UNSET:-a:-b}', 'a:-b'],
    ['no references', 'no references'],
  ];
  for (const [template, expected] of cases) {
    it(`${template} → ${expected}`, () => assert.deepEqual(interpolate(template, env), { value: expected, unset: [] }));
  }

  it('lists unset variables once each, in order', () => {
    assert.deepEqual(interpolate('${B}/${A}/${B}/${HOME}', env).unset, ['B', 'A']);
  });

  for (const bad of ['${', 'x ${HOME', '${}', '${1X}', '${A B}', '${A:?need}', '${A:+x}', '${A-x}', '${A:-${B}}']) {
    it(`rejects ${bad}`, () => assert.throws(() => interpolate(bad, env), TemplateSyntaxError));
  }
});

describe('deferred values', () => {
  it('a value with an unset variable is deferred as written, escapes and all', () => {
    const value = loadTimeValue('https://${HOOK_HOST}/x?$${literal}', {});
    assert.ok(isDeferred(value));
    assert.equal(asWritten(value), 'https://${HOOK_HOST}/x?$${literal}');
    assert.deepEqual(unsetVariables(value), ['HOOK_HOST']);
    assert.equal(resolveSecret(value, { HOOK_HOST: 'hooks.example' }), 'https://hooks.example/x?${literal}');
  });

  it('resolveSecret passes resolved values through and names what is still unset', () => {
    assert.equal(resolveSecret('https://hooks.example/x', {}), 'https://hooks.example/x');
    // A resolved value that contains a literal ${ (from $${) is not taken for a reference.
    assert.equal(resolveSecret(loadTimeValue('$${NOT_A_VAR}', {}), {}), '${NOT_A_VAR}');
    assert.throws(
      () => resolveSecret(loadTimeValue('${A}:${B}', {}), { A: 'x' }),
      (error: unknown) => error instanceof UnsetVariableError && error.variables.join() === 'B' && /B is not set/.test(error.message),
    );
  });

  it('interpolates every string of a document, never its keys, and collects every malformed reference', () => {
    const { value, problems } = interpolateTree({ '${KEY}': ['${A}', { b: '${', n: 1, t: true } ], c: '${1}' }, { A: 'a', KEY: 'k' });
    assert.deepEqual(value, { '${KEY}': ['a', { b: '${', n: 1, t: true }], c: '${1}' });
    assert.deepEqual(
      problems.map((p) => p.path),
      [['${KEY}', 1, 'b'], ['c']],
    );
  });
});

describe('interpolation in a catalog', () => {
  const designExample = readFileSync(path.join(__dirname, 'fixtures', 'catalogs', 'valid', '01-design-example.yaml'), 'utf8');

  it('resolves the channels of DESIGN.md §4 when the variables are set', () => {
    const catalog = parseCatalog(designExample, 'jobnet.yaml', {
      env: { SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T/B/x', SMTP_URL: 'smtp://mail.example:25', PAGER_URL: 'https://pager.example/hook' },
    });
    assert.deepEqual(catalog.notify.channels['ops-slack'], { type: 'slack', webhookUrl: 'https://hooks.slack.example/T/B/x' });
    assert.equal(resolveSecret(catalog.notify.channels.pager?.type === 'webhook' ? catalog.notify.channels.pager.url : ''), 'https://pager.example/hook');
  });

  it('loads without them, deferring the URLs to the worker that sends', () => {
    const catalog = parseCatalog(designExample, 'jobnet.yaml', { env: {} });
    const slack = catalog.notify.channels['ops-slack'];
    assert.ok(slack?.type === 'slack');
    assert.ok(isDeferred(slack.webhookUrl));
    assert.throws(() => resolveSecret(slack.webhookUrl, {}), UnsetVariableError);
    assert.equal(resolveSecret(slack.webhookUrl, { SLACK_WEBHOOK_URL: 'https://hooks.slack.example/late' }), 'https://hooks.slack.example/late');
  });

  it('checks the shape of a URL once it is resolved at load', () => {
    assert.throws(
      () => parseCatalog(designExample, 'jobnet.yaml', { env: { SLACK_WEBHOOK_URL: 'hooks.slack.example/no-scheme', SMTP_URL: 'smtp://m', PAGER_URL: 'https://p' } }),
      (error: unknown) => error instanceof InvalidInputError && error.problems.length === 1 && error.problems[0]!.path === 'notify.channels.ops-slack.webhookUrl',
    );
  });

  it('reports an unset variable at load when the field cannot be checked without it', () => {
    const text = 'jobs:\n  a:\n    command: [x]\n    timeout: "${JOB_TIMEOUT}"\n    retry: { interval: "${RETRY_INTERVAL:-45s}" }\n';
    assert.equal(parseCatalog(text, 'c', { env: { JOB_TIMEOUT: '5m' } }).jobs.a?.timeout, 300_000);
    assert.equal(parseCatalog(text, 'c', { env: { JOB_TIMEOUT: '5m' } }).jobs.a?.retry.interval, 45_000);
    assert.throws(
      () => parseCatalog(text, 'c', { env: {} }),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.problems.length === 1 &&
        error.problems[0]!.path === 'jobs.a.timeout' &&
        error.problems[0]!.line === 4 &&
        /JOB_TIMEOUT is not set/.test(error.problems[0]!.message),
    );
  });

  it('a command job resolves its deferred values when it is about to run, or names what is missing', () => {
    const text = 'jobs:\n  a:\n    command: [node, "${SCRIPTS}/a.js", "$${LITERAL}"]\n    cwd: "${WORK_DIR:-/tmp}"\n    env: { OUT: "${OUT_DIR}" }\n';
    const catalog = parseCatalog(text, 'c', { env: {} });
    const job = catalog.jobs.a!;
    assert.ok(isDeferred(job.command?.[1]));
    assert.equal(job.command?.[2], '${LITERAL}');
    assert.equal(job.cwd, '/tmp');
    assert.deepEqual(jobSpecOf(catalog, job, 'a', { SCRIPTS: '/opt/s', OUT_DIR: '/out' }).command, ['node', '/opt/s/a.js', '${LITERAL}']);
    assert.throws(
      () => jobSpecOf(catalog, job, 'a', {}),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        JSON.stringify(error.problems.map((p) => [p.path, p.message.replace(/ \(.*$/, '')])) ===
          JSON.stringify([
            ['jobs.a.command[1]', 'environment variable SCRIPTS is not set'],
            ['jobs.a.env.OUT', 'environment variable OUT_DIR is not set'],
          ]),
    );
  });
});
