/**
 * The chaos campaign's counting (scripts/chaos/ledger.ts), on hand-made records: a clean round
 * counts nothing, and each defect the campaign hunts — a lost step or partition, a step or
 * partition done twice, a run-log line written twice, two lock holders at once, an `after`
 * successor running first — is counted where it happened. A command finished twice is a
 * repeat, not a duplicate; recovery runs from a worker's SIGKILL to the interrupted command's
 * next start.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectedPartitionKeys, expectedSteps } from '../scripts/chaos/catalog';
import { count, type CommandLine, type KillRecord, type LedgerInput } from '../scripts/chaos/ledger';

const DATE = '2026-01-01';
const CODES = ['C1', 'C2'];

let pid = 1000;
/** A command that ran to its end: start, effect, end. */
function ran(runId: string, at: number, mode = 'plain', attempt = 1): CommandLine[] {
  const p = ++pid;
  return [
    { at, event: 'start', runId, mode, attempt, pid: p },
    { at: at + 100, event: 'effect', runId, mode, attempt, pid: p },
    { at: at + 101, event: 'end', runId, mode, attempt, pid: p },
  ];
}

/** One round in which every step took effect once, in order, and every partition billed once. */
function cleanRound(): LedgerInput {
  let at = 1_000;
  const lines: CommandLine[] = [];
  for (const step of expectedSteps(DATE)) {
    const runId = step.endsWith('/gate') ? `${step}#2` : step;
    const mode = step.startsWith('chaos-lock-') ? 'lock' : 'plain';
    lines.push(...ran(runId, (at += 1_000), mode));
  }
  return {
    lines,
    kills: [],
    rounds: [DATE],
    stuckRuns: new Set(),
    partitionEffects: expectedPartitionKeys(DATE, CODES).flatMap((runKey) => [
      { runKey, kind: 'invoice', count: 1 },
      { runKey, kind: 'notice', count: 1 },
    ]),
    companyCodes: CODES,
    runLog: new Map([['chaos-chain@2026-01-01/a run-1', 1]]),
  };
}

const whats = (findings: Array<{ what: string }>) => findings.map((finding) => finding.what);

describe('chaos ledger', () => {
  it('a clean round counts nothing', () => {
    const counts = count(cleanRound());
    assert.deepEqual(
      [counts.lost, counts.duplicated, counts.lockOverlaps, counts.orderViolations, counts.repeated, counts.recoveries],
      [[], [], [], [], [], []],
    );
    assert.equal(counts.commandsRun, expectedSteps(DATE).length);
  });

  it('a step without effect and a partition without notice are lost — unless their run is stuck (counted there)', () => {
    const input = cleanRound();
    input.lines = input.lines.filter((line) => line.runId !== `chaos-chain@${DATE}/b`);
    input.partitionEffects = input.partitionEffects.filter((row) => !(row.runKey.endsWith('/C2') && row.kind === 'notice'));
    assert.deepEqual(whats(count(input).lost), [`chaos-chain@${DATE}/b`, `chaos-flow@${DATE}/bill/C2`]);
    input.stuckRuns = new Set([`chaos-chain@${DATE}`, `chaos-flow@${DATE}`]);
    assert.deepEqual(count(input).lost, []);
  });

  it("a step with two effects (also under an operator retry's name), a partition billed twice and a run-log line twice are duplicated", () => {
    const input = cleanRound();
    input.lines.push(...ran(`chaos-chain@${DATE}/c`, 90_000, 'plain', 2));
    input.lines.push(...ran(`chaos-flow@${DATE}/gate#3`, 91_000));
    input.partitionEffects.push({ runKey: `chaos-flow@${DATE}/bill/C1`, kind: 'invoice', count: 1 });
    input.partitionEffects = input.partitionEffects.map((row) => (row.runKey.endsWith('/C1') && row.kind === 'invoice' ? { ...row, count: 2 } : row));
    input.runLog.set(`chaos-lock-a@${DATE} run-9`, 2);
    assert.deepEqual(whats(count(input).duplicated).sort(), [
      `chaos-chain@${DATE}/c`,
      `chaos-flow@${DATE}/bill/C1`,
      `chaos-flow@${DATE}/gate`,
      `run log chaos-lock-a@${DATE} run-9`,
    ]);
  });

  it('a command finished twice for one run id is a repeat, not a duplicate (its effect is keyed)', () => {
    const input = cleanRound();
    const again = ran(`chaos-chain@${DATE}/a`, 95_000, 'plain', 2).filter((line) => line.event !== 'effect');
    input.lines.push(...again);
    const counts = count(input);
    assert.deepEqual(whats(counts.repeated), [`chaos-chain@${DATE}/a`]);
    assert.deepEqual(counts.duplicated, []);
  });

  it('lock holders: overlapping intervals are counted; a killed holder holds until its kill, one that vanished holds for ever', () => {
    const input = cleanRound();
    const a = input.lines.find((line) => line.runId === `chaos-lock-a@${DATE}` && line.event === 'start')!;
    // Another holder starting inside chaos-lock-a's interval.
    input.lines.push(...ran(`chaos-lock-b@${DATE}`, a.at + 50, 'lock', 2).filter((line) => line.event !== 'effect'));
    assert.deepEqual(whats(count(input).lockOverlaps), [`chaos-lock-b@${DATE} attempt 2`]);

    // A holder killed by its worker, then the next holder after the kill: no overlap...
    const clean = cleanRound();
    const killed: CommandLine = { at: 200_000, event: 'start', runId: `chaos-lock-a@${DATE}`, mode: 'lock', attempt: 3, pid: 77 };
    clean.lines.push(killed, ...ran(`chaos-lock-b@${DATE}`, 210_000, 'lock', 3).filter((line) => line.event !== 'effect'));
    const kill: KillRecord = { at: 205_000, kind: 'worker', target: 'worker-1', pids: [76, 77] };
    clean.kills = [kill];
    assert.deepEqual(count(clean).lockOverlaps, []);
    // A holder forked just before its worker's kill writes its start line a moment after it: still the kill's.
    killed.at = 205_400;
    clean.lines.sort((x, y) => x.at - y.at);
    assert.deepEqual(count(clean).lockOverlaps, []);
    // ...but without the kill record it never ended: the next holder overlaps it.
    clean.kills = [];
    assert.deepEqual(whats(count(clean).lockOverlaps), [`chaos-lock-b@${DATE} attempt 3`]);
    // A holder the kill's process list missed, stopped by its dead worker's reaper (SIGTERM): it holds until its stopped line.
    clean.lines.push({ at: 206_000, event: 'stopped', runId: killed.runId, mode: 'lock', attempt: 3, pid: 77 });
    clean.lines.sort((x, y) => x.at - y.at);
    assert.deepEqual(count(clean).lockOverlaps, []);
  });

  it('an `after` successor that started before its predecessor took effect is an order violation', () => {
    const input = cleanRound();
    const second = input.lines.find((line) => line.runId === `chaos-after-second@${DATE}` && line.event === 'start')!;
    const firstEffect = input.lines.find((line) => line.runId === `chaos-after-first@${DATE}` && line.event === 'effect')!;
    second.at = firstEffect.at - 10;
    input.lines.sort((x, y) => x.at - y.at);
    assert.deepEqual(whats(count(input).orderViolations), [`chaos-after-second@${DATE}`]);
  });

  it('recovery: from a worker kill to the interrupted command starting again; one never started again is reported', () => {
    const input = cleanRound();
    const interrupted: CommandLine = { at: 300_000, event: 'start', runId: `chaos-chain@${DATE}/b`, mode: 'plain', attempt: 1, pid: 88 };
    const orphan: CommandLine = { at: 300_100, event: 'start', runId: `chaos-chain@${DATE}/x`, mode: 'plain', attempt: 1, pid: 89 };
    const finishedBefore = ran(`chaos-chain@${DATE}/y`, 299_000);
    // Forked before the kill, its start line written just after it.
    const late: CommandLine = { at: 301_300, event: 'start', runId: `chaos-chain@${DATE}/z`, mode: 'plain', attempt: 1, pid: 91 };
    input.lines.push(interrupted, orphan, late, ...finishedBefore, { ...interrupted, at: 306_500, attempt: 1, pid: 90 }, { ...late, at: 307_000, pid: 92 });
    input.lines.sort((x, y) => x.at - y.at);
    input.kills = [{ at: 301_000, kind: 'worker', target: 'worker-2', pids: [87, 88, 89, 91, finishedBefore[0]!.pid] }];
    const counts = count(input);
    assert.deepEqual(counts.recoveries, [5_500, 6_000]);
    assert.deepEqual(whats(counts.notRecovered), [`chaos-chain@${DATE}/x`]);
  });
});
