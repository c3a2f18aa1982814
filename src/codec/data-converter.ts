import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, type CodecRole } from './aes-gcm-codec';
import { codecSettings, type CodecSettings } from './keys';

/** The module every worker bundle, worker and client loads its failure converter from. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The one data converter of jobnet: every client (CLI, `npm run start`, sync, tests) and every
 * worker builds it here, so what one writes the other can read. With the codec off (an explicit
 * `JOBNET_CODEC=off`) payloads are plain JSON; failure messages still travel as an encoded
 * attribute, so the workflow bundle is the same either way.
 */
export function jobnetDataConverter(role: CodecRole, settings: CodecSettings = codecSettings()): DataConverter {
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(settings.mode === 'on' ? { payloadCodecs: [new AesGcmCodec(settings.keyring, role)] } : {}),
  };
}
