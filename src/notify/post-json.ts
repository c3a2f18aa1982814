import { DeliveryError } from './delivery-error';

/** A receiver that answers in time or not at all: an attempt never hangs the activity. */
export const HTTP_TIMEOUT_MS = 10_000;

/** Statuses worth retrying: the receiver is busy or down, not refusing this message. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/**
 * POSTs a JSON body. Resolves on a 2xx answer; throws DeliveryError otherwise, retryable
 * unless the receiver rejected the request itself (4xx other than time-out and rate limit).
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs = HTTP_TIMEOUT_MS): Promise<void> {
  // fetch quotes a URL it cannot parse, and the URL is a secret: check it first, quietly.
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new DeliveryError('has a URL that is not http(s):// once its variables are resolved', false);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'jobnet', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new DeliveryError(`not reachable: ${networkReason(error)}`, true);
  }
  // Read the answer whole, so the connection is released and the reason can be quoted.
  const answer = (await response.text().catch(() => '')).slice(0, 300);
  if (response.ok) return;
  const retryable = response.status >= 500 || RETRYABLE_STATUSES.has(response.status);
  throw new DeliveryError(`answered HTTP ${response.status}${answer ? `: ${answer}` : ''}`, retryable);
}

/** fetch says only "fetch failed"; the cause (ECONNREFUSED, a time-out) is what an operator needs. */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    // An AggregateError (every address of a host refused) has a code but no message.
    const code = Reflect.get(cause, 'code');
    return cause.message || (typeof code === 'string' ? code : cause.name);
  }
  return error instanceof Error ? error.message : String(error);
}
