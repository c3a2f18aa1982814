import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './keys';
import { untrustedMarker } from './untrusted';

/**
 * Authenticated encryption of every payload (AES-256-GCM, Node's crypto). The whole payload —
 * its metadata (encoding) and data — is serialized and encrypted, so nothing of it is readable
 * at the server; the outer metadata names only the scheme and the key id, which is also bound
 * into the tag (as associated data) so a payload cannot be relabelled to another key.
 *
 * Layout of the data: 12-byte IV ‖ ciphertext ‖ 16-byte tag.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');
const associatedData = (keyId: string) => Buffer.from(`jobnet-payload/v1:${keyId}`, 'utf8');

/** Why a payload could not be decrypted; what the codec does with it depends on who reads. */
export class UntrustedPayloadError extends Error {
  override readonly name = 'UntrustedPayload';
}

/**
 * Who decodes decides what an untrusted payload becomes:
 * - `worker`: a marker the interceptors refuse (nothing runs; the task itself never fails);
 * - `client`: an error for a payload it cannot read; a plaintext payload (written before
 *   encryption was switched on, or by the server itself) is shown as it is — reading it is harmless.
 */
export type CodecRole = 'worker' | 'client';

export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keyring: Keyring,
    private readonly role: CodecRole,
  ) {}

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(CIPHER, key, iv);
      cipher.setAAD(associatedData(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      try {
        return this.decrypt(payload);
      } catch (error) {
        if (!(error instanceof UntrustedPayloadError)) throw error;
        if (this.role === 'client') {
          if (error.message === NOT_ENCRYPTED) return payload;
          throw error;
        }
        return defaultPayloadConverter.toPayload(untrustedMarker(error.message));
      }
    });
  }

  private decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) throw new UntrustedPayloadError(NOT_ENCRYPTED);
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    const entry = this.keyring.byId.get(keyId);
    if (entry === undefined) {
      throw new UntrustedPayloadError(`payload encrypted under key id "${keyId}", which is not among this process's keys (${[...this.keyring.byId.keys()].join(', ')}; from ${this.keyring.source})`);
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new UntrustedPayloadError(`payload under key id "${keyId}" is too short to be one of ours`);
    try {
      const decipher = createDecipheriv(CIPHER, entry.key, data.subarray(0, IV_BYTES));
      decipher.setAAD(associatedData(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new UntrustedPayloadError(`payload under key id "${keyId}" failed authentication: forged, damaged, or written with another key of the same id`);
    }
  }
}

const NOT_ENCRYPTED = 'payload is not encrypted: written by a client without the key';

/** The key id a payload was encrypted under, or undefined for a plaintext one. */
export function keyIdOf(payload: Payload | null | undefined): string | undefined {
  if (text(payload?.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return undefined;
  return text(payload?.metadata?.[KEY_ID_METADATA]);
}

/** The id of the key `codecs` encrypt with, or undefined when none of them is jobnet's. */
export function currentKeyIdOf(codecs: readonly PayloadCodec[]): string | undefined {
  return codecs.find((codec): codec is AesGcmCodec => codec instanceof AesGcmCodec)?.currentKeyId;
}
