/**
 * Why a delivery did not go through, and whether trying again can help: a receiver that is
 * down or overloaded heals, one that rejects the message (a revoked Slack webhook, a mailbox
 * that does not exist) does not. Messages never contain the channel's URL: it is a secret.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
