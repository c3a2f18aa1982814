/**
 * jobnetWorkflow's real hand-over to a new run (continue-as-new) on the dev server, not a
 * hand-built carry. A run continues as new at its first quiet moment (every unsettled step
 * waiting for an operator) once its history is long: CONTINUE_AS_NEW_AFTER_EVENTS events, or
 * earlier when the server suggests it. This server suggests it after SUGGEST_AFTER events
 * (`limit.historyCount.suggestContinueAsNew`), so a short jobnet reaches its bound: the first
 * run hands over while `gate` waits for an operator, and the next run completes the jobnet with
 * what the first had done — each step's command run once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { jobnetRunSchema, type JobnetRunInput } from '../src/catalog/compile/jobnet-input';
import { jobnetWorkflow } from '../src/workflows';
import { CONTINUE_AS_NEW_AFTER_EVENTS } from '../src/workflows/jobnet';
import { jobnetResultSchema, jobnetStateQuery, skipStepUpdate } from '../src/workflows/jobnet-definitions';
import { jobnetClient } from '../src/temporal/client';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { waitFor } from './helpers/fs';

const QUEUE = 'jobnet-can';
const SUGGEST_AFTER = 30;
let dev: DevEnv;
let connection: Connection;
let client: Client;

before(async () => {
  dev = await startDevEnv('jobnet-can', [QUEUE], { dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER } });
  connection = await Connection.connect({ address: dev.server.address });
  client = jobnetClient(connection);
});
after(async () => {
  await connection?.close();
  await dev?.stop();
});

describe('jobnet continue-as-new at its history bound (dev server)', () => {
  it('the run hands over while a step waits for an operator; the next run completes it, each step once', async () => {
    assert.ok(SUGGEST_AFTER < CONTINUE_AS_NEW_AFTER_EVENTS, "the server suggests it before jobnet's own bound");
    const trace = path.join(dev.work.dir, 'can.trace');
    const traced = (extra: string = '') => ({ command: ['sh', '-c', `echo "$JOBNET_JOB" >> "${trace}"; ${extra || 'true'}`] });
    const chain = ['s1', 's2', 's3', 's4', 's5'];
    const input: JobnetRunInput = {
      name: 'long-night',
      businessDate: '2026-12-01',
      steps: {
        ...Object.fromEntries(chain.map((name, index) => [name, { job: traced(), ...(index === 0 ? {} : { needs: [chain[index - 1]!] }) }])),
        gate: { job: traced('echo "gate closed" >&2; exit 3'), needs: ['s5'], onFailure: 'wait' },
        final: { job: traced(), needs: ['gate'] },
      },
    };
    const workflowId = 'long-night@2026-12-01';
    const first = await client.workflow.start(jobnetWorkflow, { taskQueue: QUEUE, workflowId, args: [jobnetRunSchema.parse(input)] });

    // The first run's history passed the bound; at gate's operator wait it handed over.
    const firstRun = client.workflow.getHandle(workflowId, first.firstExecutionRunId);
    await waitFor(async () => (await firstRun.describe()).status.name === 'CONTINUED_AS_NEW', 60_000, 'the first run to continue as new').catch(
      async (error: Error) => {
        const steps = (await first.query(jobnetStateQuery).catch(() => undefined))?.steps ?? {};
        const statuses = Object.entries(steps).map(([name, state]) => `${name}: ${state.status}`);
        throw new Error(`${error.message}; first run: ${(await firstRun.describe()).status.name}, ${statuses.join(', ')}`);
      },
    );
    const firstEvents = (await firstRun.fetchHistory()).events ?? [];
    assert.ok(firstEvents.length >= SUGGEST_AFTER, `the first run's history has ${firstEvents.length} events`);
    assert.ok(firstEvents.at(-1)?.workflowExecutionContinuedAsNewEventAttributes, 'the first run ended by continuing as new');

    // The next run carries the state: the chain done, gate still waiting for its operator.
    const latest = client.workflow.getHandle(workflowId);
    const carried = await waitFor(
      async () => {
        const description = await latest.describe();
        if (description.runId === first.firstExecutionRunId) return undefined;
        const state = await latest.query(jobnetStateQuery).catch(() => undefined);
        return state?.steps.gate?.status === 'waiting-operator' ? state : undefined;
      },
      60_000,
      'the next run to wait for the operator on gate',
    );
    for (const name of chain) assert.equal(carried.steps[name]?.status, 'succeeded', `${name} carried as succeeded`);
    assert.equal(carried.steps.final?.status, 'waiting-dependency');
    assert.deepEqual(readFileSync(trace, 'utf8').trim().split('\n'), [...chain, 'gate'], 'the next run ran nothing again');

    await latest.executeUpdate(skipStepUpdate, { args: [{ job: 'gate' }] });
    const result = jobnetResultSchema.parse(await latest.result());
    assert.equal(result.status, 'success');
    assert.deepEqual(Object.fromEntries(Object.entries(result.steps).map(([name, state]) => [name, state.status])), {
      s1: 'succeeded',
      s2: 'succeeded',
      s3: 'succeeded',
      s4: 'succeeded',
      s5: 'succeeded',
      gate: 'skipped',
      final: 'succeeded',
    });
    assert.ok(existsSync(trace), 'the steps ran');
    // Each step's command once, in needs order, across the two runs.
    assert.deepEqual(readFileSync(trace, 'utf8').trim().split('\n'), [...chain, 'gate', 'final']);
  });
});
