import { createTransport } from 'nodemailer';
import { DeliveryError } from './delivery-error';
import type { EmailContent } from './format-email';

export interface EmailEnvelope {
  smtpUrl: string;
  from: string;
  to: string[];
  /** Message-ID: the same on every retry, so mail systems can recognise a repeat. */
  messageId: string;
}

/**
 * Sends one message over SMTP (`smtp://` with STARTTLS when offered, `smtps://` for TLS from
 * the start; credentials in the URL). A 5xx answer is permanent (no such mailbox, relaying
 * denied) and not retried; anything else — refused connection, 4xx, time-out — is.
 */
export async function sendEmail(envelope: EmailEnvelope, content: EmailContent): Promise<void> {
  const transport = createTransport({
    url: envelope.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({
      from: envelope.from,
      to: envelope.to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId: envelope.messageId,
    });
  } catch (error) {
    const code = error instanceof Error ? Reflect.get(error, 'responseCode') : undefined;
    const permanent = typeof code === 'number' && code >= 500 && code < 600;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeliveryError(`could not send over SMTP: ${reason}`, !permanent);
  } finally {
    transport.close();
  }
}
