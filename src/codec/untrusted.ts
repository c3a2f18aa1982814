/**
 * What a worker's codec hands on in place of a payload no key holder wrote: unencrypted,
 * forged, or under a key id this worker does not have. Decoding cannot fail the task (the SDK
 * would retry the workflow task for ever); it yields this marker instead, and the interceptors
 * of workflows and activities refuse any call that carries one, with `UntrustedPayload`.
 *
 * Imports nothing: workflow code (the interceptor) and the worker's codec both use it.
 */

export const UNTRUSTED_PAYLOAD = 'UntrustedPayload';

export interface UntrustedMarker {
  jobnetUntrustedPayload: string;
}

export function untrustedMarker(reason: string): UntrustedMarker {
  return { jobnetUntrustedPayload: reason };
}

export function isUntrusted(value: unknown): value is UntrustedMarker {
  return typeof value === 'object' && value !== null && typeof (value as Partial<UntrustedMarker>).jobnetUntrustedPayload === 'string';
}

/** Why the first untrusted value among `values` is refused, or undefined when all are trusted. */
export function untrustedReason(values: readonly unknown[]): string | undefined {
  for (const value of values) if (isUntrusted(value)) return value.jobnetUntrustedPayload;
  return undefined;
}
