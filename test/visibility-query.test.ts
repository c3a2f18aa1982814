import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, holdsStep, inList, literal } from '../src/visibility/query';

describe('visibility queries', () => {
  it('escapes a value once, the same way everywhere', () => {
    assert.equal(literal('BATCH-001'), '"BATCH-001"');
    assert.equal(literal('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
    assert.equal(inList(['a', 'b"c']), '("a", "b\\"c")');
  });

  it('joins only the conditions given', () => {
    assert.equal(and('A = 1', undefined, false, '', 'B = 2'), 'A = 1 AND B = 2');
    assert.equal(holdsStep('x"y'), 'StepJobs = "x\\"y" AND WorkflowType = "jobnetWorkflow" AND ExecutionStatus != "ContinuedAsNew"');
  });
});
