/**
 * BATCH-002 on both engines: the completion mail is composed from the date's rankings, written
 * to the outbox once per run, and sent once to a real SMTP server on loopback — a retried
 * attempt of the run neither writes nor sends a second message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sendRankingMail } from '../src/activities/ranking/completion-mail';
import { seedDemoData } from '../src/activities/ranking/demo-data';
import { updateRankings } from '../src/activities/ranking/update-rankings';
import { ENGINES, freshDatabase, skipUnlessEngine, stopTestPostgres, type TestDatabase } from './helpers/db';
import { SmtpSink } from './helpers/sinks';

const DATE = '2026-03-31';
let smtp: SmtpSink;
before(async () => {
  smtp = new SmtpSink();
  await smtp.start();
});
after(async () => {
  await smtp.stop();
  await stopTestPostgres();
});

for (const engine of ENGINES) {
  describe(`BATCH-002 completion mail on ${engine}`, { skip: skipUnlessEngine(engine) }, () => {
    let test: TestDatabase;
    before(async () => {
      test = await freshDatabase(engine);
      await seedDemoData(test.db, { users: 200, orders: 4000, until: DATE });
      await updateRankings(test.db, { windowDays: 30, timezone: 'Asia/Tokyo', batchSize: 1000, businessDate: DATE, runKey: 'rank' });
    });
    after(() => test?.drop());

    it('sends the top of the board once per run, however often the attempt is repeated', async () => {
      const before = smtp.messages.length;
      const request = {
        to: ['ops@example.com'],
        from: 'jobnet@example.com',
        smtpUrl: smtp.url(),
        top: 3,
        businessDate: DATE,
        runKey: `BATCH-002@${DATE}-${engine}`,
      };
      const first = await sendRankingMail(test.db, request);
      const retried = await sendRankingMail(test.db, request);
      assert.deepEqual(first, { subject: `[jobnet] rankings of ${DATE} updated`, sent: true, topCount: 3 });
      assert.deepEqual(retried, first);
      const mails = smtp.messages.slice(before);
      assert.equal(mails.length, 1);
      assert.deepEqual(mails[0]!.to, ['ops@example.com']);
      const top = await test.db.query<{ user_id: string }>('SELECT user_id::text AS user_id FROM rankings WHERE business_date = $1 ORDER BY rank LIMIT 3', [
        DATE,
      ]);
      for (const [i, row] of top.rows.entries()) assert.match(mails[0]!.raw, new RegExp(`${i + 1}\\. user ${row.user_id} `));
      const outbox = await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM mail_outbox WHERE run_key = $1', [request.runKey]);
      assert.equal(outbox.rows[0]!.n, 1);
    });

    it('without an SMTP server the mail waits in the outbox', async () => {
      const before = smtp.messages.length;
      const result = await sendRankingMail(test.db, {
        to: ['ops@example.com'],
        from: 'jobnet@example.com',
        smtpUrl: undefined,
        top: 3,
        businessDate: DATE,
        runKey: `outbox-only-${engine}`,
      });
      assert.equal(result.sent, false);
      assert.equal(smtp.messages.length, before);
    });
  });
}
