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

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : '');
const associatedData = (keyId: string) => Buffer.from(`jobnet-payload/v1:${keyId}`, 'utf8');
const ENCRYPTED_ENCODING_BYTES = utf8(ENCRYPTED_ENCODING);

/**
 * Fresh random IVs, drawn from the system's generator a page at a time: one call per 256
 * payloads instead of one each (every payload of a workflow task passes here). Each IV is used
 * once and never handed out again.
 */
class IvSource {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(): Buffer {
    if (this.offset + IV_BYTES > this.pool.length) {
      this.pool = randomBytes(IV_BYTES * 256);
      this.offset = 0;
    }
    const iv = this.pool.subarray(this.offset, this.offset + IV_BYTES);
    this.offset += IV_BYTES;
    return iv;
  }
}

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
  private readonly ivs = new IvSource();
  /** Per key id: its associated data and its id's bytes, built once. */
  private readonly labels = new Map<string, { aad: Buffer; id: Buffer }>();

  constructor(
    private readonly keyring: Keyring,
    private readonly role: CodecRole,
  ) {}

  private label(keyId: string): { aad: Buffer; id: Buffer } {
    let label = this.labels.get(keyId);
    if (label === undefined) this.labels.set(keyId, (label = { aad: associatedData(keyId), id: utf8(keyId) }));
    return label;
  }

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    const label = this.label(id);
    return payloads.map((payload) => {
      const iv = this.ivs.next();
      const cipher = createCipheriv(CIPHER, key, iv);
      cipher.setAAD(label.aad);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: ENCRYPTED_ENCODING_BYTES, [KEY_ID_METADATA]: label.id }, data };
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
      throw new UntrustedPayloadError(
        `payload encrypted under key id "${keyId}", which is not among this process's keys (${[...this.keyring.byId.keys()].join(', ')}; from ${this.keyring.source})`,
      );
    }
    const raw = payload.data ?? new Uint8Array();
    const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (data.length < IV_BYTES + TAG_BYTES) throw new UntrustedPayloadError(`payload under key id "${keyId}" is too short to be one of ours`);
    try {
      const decipher = createDecipheriv(CIPHER, entry.key, data.subarray(0, IV_BYTES));
      decipher.setAAD(this.label(keyId).aad);
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
