import nodemailer from 'nodemailer';
import type { Database } from '../../db/database';
import { runOnce } from '../../db/idempotency';
import type { RankingMailArgs } from './args';

/**
 * BATCH-002 of seed 001: the mail that says the rankings are updated, with the top of the
 * board. The message is written to `mail_outbox` once per run (same transaction as its key);
 * sending is marked in the row afterwards. A crash between the SMTP hand-over and that mark
 * sends the mail again on retry — at-least-once is the most SMTP allows — but a retry after
 * the mark, or a retry of a run whose mail was only composed, never writes a second message.
 */
export interface RankingMailRequest extends RankingMailArgs {
  businessDate: string;
  runKey: string;
}

export interface RankingMailResult {
  subject: string;
  sent: boolean;
  topCount: number;
}

interface OutboxRow {
  recipients: string;
  subject: string;
  body: string;
  sent_at: string | null;
}

async function compose(db: Database, request: RankingMailRequest): Promise<{ subject: string; body: string; topCount: number }> {
  const top = await db.query<{ rank: number; user_id: string; score: string }>(
    'SELECT rank, user_id::text AS user_id, score::text AS score FROM rankings WHERE business_date = $1 ORDER BY rank LIMIT $2',
    [request.businessDate, request.top],
  );
  const lines = top.rows.map((row) => `${String(row.rank).padStart(3)}. user ${row.user_id}  ${Number(row.score).toLocaleString('en-US')} yen`);
  return {
    subject: `[jobnet] rankings of ${request.businessDate} updated`,
    body: [`The rankings of ${request.businessDate} are updated (run ${request.runKey}).`, '', `Top ${top.rows.length}:`, ...lines, ''].join('\n'),
    topCount: top.rows.length,
  };
}

export async function sendRankingMail(db: Database, request: RankingMailRequest): Promise<RankingMailResult> {
  const message = await compose(db, request);
  await runOnce(db, { runKey: request.runKey, step: 'rankingMail' }, async (tx) => {
    await tx.query('INSERT INTO mail_outbox (run_key, recipients, subject, body) VALUES ($1, $2, $3, $4)', [
      request.runKey,
      request.to.join(', '),
      message.subject,
      message.body,
    ]);
    return null;
  });
  const stored = (await db.query<OutboxRow>('SELECT recipients, subject, body, sent_at::text AS sent_at FROM mail_outbox WHERE run_key = $1', [request.runKey]))
    .rows[0]!;
  if (stored.sent_at !== null || request.smtpUrl === undefined) {
    return { subject: stored.subject, sent: stored.sent_at !== null, topCount: message.topCount };
  }
  const transport = nodemailer.createTransport(request.smtpUrl);
  try {
    await transport.sendMail({
      from: request.from,
      to: stored.recipients,
      subject: stored.subject,
      text: stored.body,
      messageId: `<${encodeURIComponent(request.runKey)}@jobnet>`,
    });
  } finally {
    transport.close();
  }
  await db.query('UPDATE mail_outbox SET sent_at = now() WHERE run_key = $1', [request.runKey]);
  return { subject: stored.subject, sent: true, topCount: message.topCount };
}
