import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { UNTRUSTED_PAYLOAD, untrustedReason } from '../codec/untrusted';

/**
 * An activity task whose input no key holder wrote (a workflow task answered by an impostor
 * "worker" that scheduled `runCommand` with its own argv) runs nothing: it fails at once,
 * non-retryable, with `UntrustedPayload`.
 */
export const refuseUntrustedActivities: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      const reason = untrustedReason(input.args);
      if (reason !== undefined) {
        throw ApplicationFailure.create({ type: UNTRUSTED_PAYLOAD, message: `activity input refused: ${reason}`, nonRetryable: true });
      }
      return next(input);
    },
  },
});
