/**
 * The payload codec and its keys, without a server: what is encrypted, what a worker and a
 * client make of payloads they cannot trust, rotation, and keys that are bad input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, UntrustedPayloadError } from '../src/codec/aes-gcm-codec';
import { codecSettings, newKeyEntry, parseKeyFile, parseKeyList, type Keyring } from '../src/codec/keys';
import { isUntrusted } from '../src/codec/untrusted';
import { InvalidInputError } from '../src/validation/validation-error';

const ROOT = path.resolve(__dirname, '..');
const A = newKeyEntry('A');
const B = newKeyEntry('B');
const keyring = (text: string): Keyring => parseKeyList(text);
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const value = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('AES-256-GCM payload codec', () => {
  const secret = { argv: ['psql', 'PII-4711-marker'], env: { DB_PASSWORD: 'Sup3rS3cret!' } };

  it('encrypts the whole payload, encoding included; only the scheme and key id stay readable', async () => {
    const [encoded] = await new AesGcmCodec(keyring(A), 'client').encode([json(secret)]);
    assert.equal(text(encoded!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded!.metadata?.[KEY_ID_METADATA]), 'A');
    assert.deepEqual(Object.keys(encoded!.metadata ?? {}).sort(), ['encoding', KEY_ID_METADATA].sort());
    const bytes = Buffer.from(encoded!.data!);
    for (const plain of ['PII-4711-marker', 'Sup3rS3cret!', 'json/plain', 'psql']) assert.ok(!bytes.includes(plain), `${plain} must not be readable`);
    const [again] = await new AesGcmCodec(keyring(A), 'client').encode([json(secret)]);
    assert.ok(!Buffer.from(again!.data!).equals(bytes), 'a fresh IV every time');
  });

  it('round-trips, for workers and clients alike', async () => {
    for (const role of ['worker', 'client'] as const) {
      const codec = new AesGcmCodec(keyring(A), role);
      const decoded = await codec.decode(await codec.encode([json(secret), json(null), json(undefined)]));
      assert.deepEqual(decoded.map(value), [secret, null, undefined]);
    }
  });

  it('rotation: B,A writes under B and still reads what A wrote; B alone cannot', async () => {
    const underA = await new AesGcmCodec(keyring(A), 'client').encode([json(secret)]);
    const rotated = new AesGcmCodec(keyring(`${B},${A}`), 'client');
    assert.deepEqual((await rotated.decode(underA)).map(value), [secret]);
    const [underB] = await rotated.encode([json(secret)]);
    assert.equal(text(underB!.metadata?.[KEY_ID_METADATA]), 'B');
    await assert.rejects(
      new AesGcmCodec(keyring(B), 'client').decode(underA),
      (error: unknown) => error instanceof UntrustedPayloadError && /key id "A", which is not among this process's keys \(B;/.test(error.message),
    );
  });

  it('a worker turns what no key holder wrote into a marker its interceptors refuse: plaintext, unknown key, forged, relabelled', async () => {
    const worker = new AesGcmCodec(keyring(A), 'worker');
    const [good] = await worker.encode([json(secret)]);
    const forged: Payload = { metadata: good!.metadata, data: Buffer.from(good!.data!).map((byte, i) => (i === 20 ? byte ^ 1 : byte)) };
    const relabelled: Payload = { metadata: { ...good!.metadata, [KEY_ID_METADATA]: Buffer.from('A2') }, data: good!.data };
    const otherKey = (await new AesGcmCodec(parseKeyList(newKeyEntry('A')), 'client').encode([json(secret)]))[0]!;
    const decoded = (await worker.decode([json(secret), relabelled, forged, otherKey, { metadata: good!.metadata, data: new Uint8Array(3) }])).map(value);
    assert.ok(decoded.every(isUntrusted), JSON.stringify(decoded));
    const reasons = decoded.map((marker) => (isUntrusted(marker) ? marker.jobnetUntrustedPayload : ''));
    const expected = [
      /^payload is not encrypted/,
      /^payload encrypted under key id "A2", which is not among this process's keys \(A;/,
      /^payload under key id "A" failed authentication/,
      /^payload under key id "A" failed authentication/,
      /^payload under key id "A" is too short/,
    ];
    expected.forEach((pattern, i) => assert.match(reasons[i]!, pattern));
  });

  it("a client shows plaintext payloads as they are (old runs, the server's own) and refuses to guess at the rest", async () => {
    const client = new AesGcmCodec(keyring(A), 'client');
    assert.deepEqual((await client.decode([json('written before encryption')])).map(value), ['written before encryption']);
    const [underB] = await new AesGcmCodec(keyring(B), 'client').encode([json(secret)]);
    await assert.rejects(client.decode([underB!]), UntrustedPayloadError);
  });
});

describe('codec keys', () => {
  const problems = (run: () => unknown): string[] => {
    try {
      run();
    } catch (error) {
      if (error instanceof InvalidInputError) return error.problems.map((p) => `${p.path}: ${p.message}`);
      throw error;
    }
    assert.fail('expected bad input');
  };

  it('reads id:base64 entries; the first is current', () => {
    const ring = parseKeyList(` ${B} , ${A} `);
    assert.equal(ring.current.id, 'B');
    assert.deepEqual([...ring.byId.keys()], ['B', 'A']);
    assert.equal(ring.current.key.length, 32);
  });

  it('names the setting and the entry of every malformed key', () => {
    const short = `short:${Buffer.alloc(16).toString('base64')}`;
    assert.deepEqual(
      problems(() => parseKeyList(`${A},${short},bad:@@not-base64@@,nocolon,${A}`)),
      [
        'JOBNET_CODEC_KEYS[1]: key "short" is 16 bytes; AES-256 needs 32 (generate one with `npx jobnet keygen`)',
        'JOBNET_CODEC_KEYS[2]: key "bad" is not standard base64',
        'JOBNET_CODEC_KEYS[3]: a key is written id:base64 (e.g. k2026-12:…); this entry has no ":"',
        'JOBNET_CODEC_KEYS[4]: key id "A" is given twice (first at JOBNET_CODEC_KEYS[0]); ids name keys in every payload, so each must be unique',
      ],
    );
    assert.deepEqual(
      problems(() => parseKeyList(`bad id:${A.split(':')[1]}`)),
      ['JOBNET_CODEC_KEYS: key id "bad id" must be 1–64 letters, digits, ".", "_" or "-"'],
    );
    assert.deepEqual(
      problems(() => parseKeyFile(`# keys\n${A}\n\n${A}\n`, '/etc/jobnet/keys')),
      [
        'JOBNET_CODEC_KEY_FILE (/etc/jobnet/keys, line 4): key id "A" is given twice (first at JOBNET_CODEC_KEY_FILE (/etc/jobnet/keys, line 2)); ids name keys in every payload, so each must be unique',
      ],
    );
    assert.deepEqual(
      problems(() => parseKeyFile('# nothing yet\n', '/k')),
      ['JOBNET_CODEC_KEY_FILE (/k): holds no key'],
    );
    assert.deepEqual(
      problems(() => codecSettings({ JOBNET_CODEC: 'maybe' })),
      ['JOBNET_CODEC: "maybe" is neither on nor off'],
    );
  });

  it('settings: explicit keys, then the key file, and off only when said', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'jobnet-keys-'));
    try {
      const file = path.join(dir, 'keys');
      writeFileSync(file, `${B}\n${A}\n`);
      const fromFile = codecSettings({ JOBNET_CODEC_KEY_FILE: file });
      assert.ok(fromFile.mode === 'on' && fromFile.keyring.current.id === 'B' && fromFile.keyring.source === file);
      const fromList = codecSettings({ JOBNET_CODEC_KEYS: A, JOBNET_CODEC_KEY_FILE: file });
      assert.ok(fromList.mode === 'on' && fromList.keyring.current.id === 'A');
      assert.deepEqual(codecSettings({ JOBNET_CODEC: 'off', JOBNET_CODEC_KEYS: A }), { mode: 'off' });
      assert.deepEqual(
        problems(() => codecSettings({ JOBNET_CODEC_KEY_FILE: path.join(dir, 'missing') })).map((p) => p.replace(/: ENOENT.*/, '')),
        [`JOBNET_CODEC_KEY_FILE: cannot read ${path.join(dir, 'missing')}`],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A process started with `env`; the address is one nobody listens on, so exit 3 would mean it tried. */
  const exitOf = (args: string[], env: Record<string, string>) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      timeout: 60_000,
    });
    return { code: result.status, stderr: result.stderr };
  };
  const malformed = { JOBNET_CODEC_KEYS: `${A},A:${Buffer.alloc(31).toString('base64')}` };

  it('the CLI exits 2 naming the setting, before connecting', () => {
    const { code, stderr } = exitOf(['bin/jobnet.js', '--address', '127.0.0.1:1', 'status', 'x@2026-12-01'], malformed);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /JOBNET_CODEC_KEYS\[1\]: key "A" is 31 bytes/);
    assert.doesNotMatch(stderr, /cannot reach Temporal/);
  });

  it('the worker exits 2 naming the setting, before connecting', () => {
    const { code, stderr } = exitOf(['src/worker.ts', '--address', '127.0.0.1:1'], { JOBNET_CODEC_KEYS: `${A},${A}` });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /JOBNET_CODEC_KEYS\[1\]: key id "A" is given twice/);
    assert.doesNotMatch(stderr, /cannot reach Temporal/);
  });

  it('keygen prints a key the settings accept', () => {
    const result = spawnSync(process.execPath, ['bin/jobnet.js', 'keygen', '--id', 'k2027-01'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const ring = parseKeyList(result.stdout.trim());
    assert.equal(ring.current.id, 'k2027-01');
  });
});
