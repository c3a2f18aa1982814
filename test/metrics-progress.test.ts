/** Progress lines every 1000 records (seed 001), from a command's streamed stdout or an activity's count. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecordProgress } from '../src/metrics/progress';

describe('record progress', () => {
  it('reports each 1000 passed in streamed count lines, split across chunks', () => {
    const seen: number[] = [];
    const progress = new RecordProgress((records) => seen.push(records));
    for (const chunk of [
      'working\nJOBNET_RECORD_COUNT=5',
      '00\nJOBNET_RECORD_COUNT=1000\nJOBNET_RECO',
      'RD_COUNT=1999\r\nJOBNET_RECORD_COUNT=3500\n',
      'x JOBNET_RECORD_COUNT=9000\n',
    ]) {
      progress.push(Buffer.from(chunk));
    }
    // 3500 jumps over 2000 and 3000: one line. A count not at the start of a line is no count line.
    assert.deepEqual(seen, [1000, 3500]);
  });

  it('never reports the same thousand twice, for any sequence of totals', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20_000 }), { maxLength: 50 }), (totals) => {
        const seen: number[] = [];
        const progress = new RecordProgress((records) => seen.push(records));
        for (const total of totals) progress.update(total);
        const thousands = seen.map((n) => Math.floor(n / 1000));
        assert.ok(thousands.every((k, i) => k >= 1 && (i === 0 || k > thousands[i - 1]!)));
        const max = Math.max(0, ...totals);
        assert.equal(seen.length > 0, max >= 1000);
      }),
    );
  });
});
