import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces carry what went wrong — a stderr line, a path, a customer's
 * id — so they travel inside an encoded attribute that the payload codec encrypts, not in the
 * failure's plain `message` field. Loaded by path (the workflow bundle, workers and clients):
 * see data-converter.ts.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
