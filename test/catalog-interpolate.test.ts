/**
 * `${NAME}` interpolation: resolved at load where the variable is set, deferred where it is
 * not, and resolved (or refused) where the value is finally used; secret-bearing values
 * (argv, env, cwd, channel URLs) never resolved at load, only on the host that uses them.
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
  resolveOnHost,
  resolveSecret,
  unsetVariables,
} from '../src/catalog/schema/interpolate';
import { parseCatalog } from '../src/catalog/load/load';
import { jobSpecOf } from '../src/catalog/compile/job-spec';
import { InvalidInputError } from '../src/validation/validation-error';
import { ApplicationFailure } from '@temporalio/common';
import { resolveArgs, resolveCommand } from '../src/activities/host-command';

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
    const { value, problems } = interpolateTree({ '${KEY}': ['${A}', { b: '${', n: 1, t: true }], c: '${1}' }, { A: 'a', KEY: 'k' });
    assert.deepEqual(value, { '${KEY}': ['a', { b: '${', n: 1, t: true }], c: '${1}' });
    assert.deepEqual(
      problems.map((p) => p.path),
      [['${KEY}', 1, 'b'], ['c']],
    );
  });
});

describe('interpolation in a catalog', () => {
  const designExample = readFileSync(path.join(__dirname, 'fixtures', 'catalogs', 'valid', '01-design-example.yaml'), 'utf8');

  it('keeps the channel URLs of DESIGN.md §4 as written, even where the variables are set', () => {
    const secrets = { SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T/B/x', SMTP_URL: 'smtp://mail.example:25', PAGER_URL: 'https://pager.example/hook' };
    const catalog = parseCatalog(designExample, 'jobnet.yaml', { env: secrets });
    assert.deepEqual(catalog.notify.channels['ops-slack'], { type: 'slack', webhookUrl: '${SLACK_WEBHOOK_URL}' });
    assert.deepEqual(parseCatalog(designExample, 'jobnet.yaml', { env: {} }).notify, catalog.notify, 'the same without them');
    const pager = catalog.notify.channels.pager;
    assert.equal(resolveOnHost(pager?.type === 'webhook' ? pager.url : '', secrets).value, 'https://pager.example/hook', 'the worker resolves it');
    assert.throws(() => resolveOnHost(pager?.type === 'webhook' ? pager.url : '', {}), UnsetVariableError);
  });

  it('checks the shape of a URL written without variables at load; one with a variable where it is resolved', () => {
    const literal = designExample.replace('"${SLACK_WEBHOOK_URL}"', 'hooks.slack.example/no-scheme');
    assert.throws(
      () => parseCatalog(literal, 'jobnet.yaml', { env: {} }),
      (error: unknown) =>
        error instanceof InvalidInputError && error.problems.length === 1 && error.problems[0]!.path === 'notify.channels.ops-slack.webhookUrl',
    );
    assert.doesNotThrow(() => parseCatalog(designExample, 'jobnet.yaml', { env: { SLACK_WEBHOOK_URL: 'not a url' } }));
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

  it("a command's argv, env and cwd travel as written, for the worker that spawns it to resolve", () => {
    const text = 'jobs:\n  a:\n    command: [node, "${SCRIPTS}/a.js", "$${LITERAL}"]\n    cwd: "${WORK_DIR:-/tmp}"\n    env: { OUT: "${OUT_DIR}" }\n';
    const catalog = parseCatalog(text, 'c', { env: { SCRIPTS: '/opt/s', OUT_DIR: '/out' } });
    const job = catalog.jobs.a!;
    assert.deepEqual(job.command, ['node', '${SCRIPTS}/a.js', '$${LITERAL}']);
    const spec = jobSpecOf(catalog, job, 'a', {});
    assert.deepEqual(
      [spec.command, spec.cwd, spec.env],
      [['node', '${SCRIPTS}/a.js', '$${LITERAL}'], '${WORK_DIR:-/tmp}', { OUT: '${OUT_DIR}' }],
      'nothing is resolved, nothing is missing, where runs are started',
    );
    assert.throws(
      () => parseCatalog('jobs:\n  a:\n    command: [node, "${1X}"]\n', 'c', { env: {} }),
      /jobs\.a\.command\[1\]/,
      'a malformed reference is still bad input at load',
    );
  });
});

describe('a command resolved on the worker', () => {
  it('resolves argv, env and cwd from the host and masks every value it read', () => {
    const host = resolveCommand(
      {
        command: ['psql', '--url=postgres://app:${DB_PASSWORD}@db/${DB_NAME}', '$${LITERAL}'],
        env: { TOKEN: '${API_TOKEN}', N: '${RETRIES:-3}' },
        cwd: '${WORK:-/tmp}',
      },
      'load',
      { DB_PASSWORD: 'Sup3rS3cret!', DB_NAME: 'sales', API_TOKEN: 'tok-0123456789', WORK: '/srv/work' },
    );
    assert.deepEqual(host.argv, ['psql', '--url=postgres://app:Sup3rS3cret!@db/sales', '${LITERAL}']);
    assert.deepEqual(host.env, { TOKEN: 'tok-0123456789', N: '3' });
    assert.equal(host.cwd, '/srv/work');
    assert.equal(
      host.mask('connect postgres://app:Sup3rS3cret!@db/sales with tok-0123456789 in /srv/work, 3 tries'),
      'connect postgres://app:***@db/*** with *** in ***, 3 tries',
      'a default is not a secret, and values shorter than 4 characters stay',
    );
  });

  it("an activity's args: every string resolved on the worker, at any depth, as written in the catalog", () => {
    const catalog = parseCatalog(
      'jobs:\n  mail:\n    activity: sendMail\n    args: { smtpUrl: "smtp://u:${SMTP_PASSWORD}@mail", to: ["${OPS_MAIL:-ops@example.com}"], top: 10 }\n',
      'c',
      { env: { SMTP_PASSWORD: 'hunter2-long' } },
    );
    const args = catalog.jobs.mail?.args;
    assert.deepEqual(
      args,
      { smtpUrl: 'smtp://u:${SMTP_PASSWORD}@mail', to: ['${OPS_MAIL:-ops@example.com}'], top: 10 },
      'as written, whatever the loading environment holds',
    );
    const host = resolveArgs(args, 'mail', { SMTP_PASSWORD: 'hunter2-long' });
    assert.deepEqual(host.args, { smtpUrl: 'smtp://u:hunter2-long@mail', to: ['ops@example.com'], top: 10 });
    assert.equal(host.mask('auth failed for smtp://u:hunter2-long@mail'), 'auth failed for smtp://u:***@mail');
  });

  it('fails non-retryably as MissingVariable, naming every unset variable and the job', () => {
    assert.throws(
      () => resolveCommand({ command: ['x', '${A}'], env: { B: '${B}' }, cwd: '${A}' }, 'nightly-load', {}),
      (error: unknown) =>
        error instanceof ApplicationFailure &&
        error.type === 'MissingVariable' &&
        error.nonRetryable &&
        /nightly-load: environment variables A, B are not set on this worker/.test(error.message),
    );
  });
});
