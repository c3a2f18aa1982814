import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError, type InputProblem } from '../validation/validation-error';

/**
 * The keys jobnet encrypts payloads with, from Temporal-style settings:
 *
 * - `JOBNET_CODEC_KEYS=id:base64,id:base64…` — the first key encrypts, every key decrypts;
 * - `JOBNET_CODEC_KEY_FILE=/etc/jobnet/codec-keys` — the same entries, one per line (`#` comments);
 * - else the embedded default's key, `.data/codec-keys` of this checkout, written by `npm run dev`;
 * - `JOBNET_CODEC=off` — no encryption at all (sites that protect the frontend another way).
 *
 * Rotation: put a new key in front and keep the old ones until no open run was written under
 * them. A key is 32 random bytes (AES-256), in standard base64.
 */

export interface CodecKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Encrypts every new payload. */
  current: CodecKey;
  /** Every key that may decrypt, by id (the current one included). */
  byId: ReadonlyMap<string, CodecKey>;
  /** Where the keys came from, for log lines: never the keys themselves. */
  source: string;
}

export type CodecSettings = { mode: 'on'; keyring: Keyring } | { mode: 'off' };

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key file `npm run dev` writes once (mode 0600) and every process of this checkout finds. */
export const DEV_KEY_FILE = path.resolve(__dirname, '..', '..', '.data', 'codec-keys');

export type Env = Readonly<Record<string, string | undefined>>;

/** One `id:base64` entry per element; `where(i)` names the setting (and line) for messages. */
function parseEntries(entries: readonly string[], where: (index: number) => string): CodecKey[] {
  const problems: InputProblem[] = [];
  const keys: CodecKey[] = [];
  const seen = new Map<string, string>();
  entries.forEach((entry, index) => {
    const at = where(index);
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push({ path: at, message: 'a key is written id:base64 (e.g. k2026-12:…); this entry has no ":"' });
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      problems.push({ path: at, message: `key id "${id}" must be 1–64 letters, digits, ".", "_" or "-"` });
      return;
    }
    if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
      problems.push({ path: at, message: `key "${id}" is not standard base64` });
      return;
    }
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) {
      problems.push({ path: at, message: `key "${id}" is ${key.length} bytes; AES-256 needs ${KEY_BYTES} (generate one with \`npx jobnet keygen\`)` });
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push({ path: at, message: `key id "${id}" is given twice (first at ${first}); ids name keys in every payload, so each must be unique` });
      return;
    }
    seen.set(id, at);
    keys.push({ id, key });
  });
  if (problems.length > 0) throw new InvalidInputError(problems, 'codec keys');
  return keys;
}

function keyringOf(keys: CodecKey[], source: string, setting: string): Keyring {
  const [current] = keys;
  if (current === undefined) throw new InvalidInputError([{ path: setting, message: 'holds no key' }], 'codec keys');
  return { current, byId: new Map(keys.map((key) => [key.id, key])), source };
}

/** `JOBNET_CODEC_KEYS`: entries separated by commas. */
export function parseKeyList(text: string, setting = 'JOBNET_CODEC_KEYS'): Keyring {
  const entries = text.split(',').map((entry) => entry.trim());
  return keyringOf(
    parseEntries(entries, (index) => (entries.length > 1 ? `${setting}[${index}]` : setting)),
    setting,
    setting,
  );
}

/** A key file: one entry per line; blank lines and `#` comments are skipped. */
export function parseKeyFile(text: string, file: string, setting = 'JOBNET_CODEC_KEY_FILE'): Keyring {
  const lines = text
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.replace(/#.*$/, '').trim() }))
    .filter((line) => line.text !== '');
  const keys = parseEntries(
    lines.map((line) => line.text),
    (index) => `${setting} (${file}, line ${lines[index]!.line})`,
  );
  return keyringOf(keys, file, `${setting} (${file})`);
}

function readKeyFile(file: string, setting: string): Keyring {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError([{ path: setting, message: `cannot read ${file}: ${(error as Error).message}` }], 'codec keys');
  }
  return parseKeyFile(text, file, setting);
}

/**
 * What this process's settings say, checked in full before anything connects: a malformed key
 * is bad input (exit 2) naming the setting, never a half-working process.
 */
export function codecSettings(env: Env = process.env): CodecSettings {
  const mode = env.JOBNET_CODEC?.trim().toLowerCase();
  if (mode === 'off') return { mode: 'off' };
  if (mode !== undefined && mode !== '' && mode !== 'on') {
    throw new InvalidInputError([{ path: 'JOBNET_CODEC', message: `"${env.JOBNET_CODEC}" is neither on nor off` }], 'codec settings');
  }
  if (env.JOBNET_CODEC_KEYS !== undefined && env.JOBNET_CODEC_KEYS.trim() !== '') return { mode: 'on', keyring: parseKeyList(env.JOBNET_CODEC_KEYS) };
  if (env.JOBNET_CODEC_KEY_FILE !== undefined && env.JOBNET_CODEC_KEY_FILE.trim() !== '') {
    return { mode: 'on', keyring: readKeyFile(env.JOBNET_CODEC_KEY_FILE, 'JOBNET_CODEC_KEY_FILE') };
  }
  if (existsSync(DEV_KEY_FILE)) return { mode: 'on', keyring: readKeyFile(DEV_KEY_FILE, `the embedded default's key file`) };
  throw new InvalidInputError(
    [
      {
        path: 'JOBNET_CODEC_KEYS',
        message:
          'no payload key: set JOBNET_CODEC_KEYS=<id>:<base64 of 32 bytes> (make one with `npx jobnet keygen`) or JOBNET_CODEC_KEY_FILE, ' +
          'the same on every worker and client — or run `npm run dev` once, which makes the embedded default a key of its own',
      },
    ],
    'codec settings',
  );
}

/** A fresh key entry, `<id>:<base64>`, for a key file or JOBNET_CODEC_KEYS. */
export function newKeyEntry(id: string): string {
  if (!KEY_ID.test(id)) throw new InvalidInputError([{ path: '--id', message: `key id "${id}" must be 1–64 letters, digits, ".", "_" or "-"` }], 'arguments');
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * For throwaway processes (tests, benchmarks): a fresh key in this process's environment — and
 * so in the workers and CLIs it spawns — unless one is configured already or the codec is off.
 */
export function useThrowawayKeyUnlessConfigured(env: NodeJS.ProcessEnv = process.env, id = 'throwaway'): void {
  if (env.JOBNET_CODEC_KEYS || env.JOBNET_CODEC_KEY_FILE || env.JOBNET_CODEC?.trim().toLowerCase() === 'off') return;
  env.JOBNET_CODEC_KEYS = newKeyEntry(id);
}

/**
 * The embedded default's key file: made once, readable by its owner only (0600), kept with the
 * dev server's data so the runs stored there stay readable. Returns whether it was made now.
 */
export function ensureKeyFile(file: string = DEV_KEY_FILE, now: Date = new Date()): boolean {
  if (existsSync(file)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  const id = `dev-${now.toISOString().slice(0, 10)}`;
  const text = `# jobnet payload keys (id:base64 of 32 bytes); the first encrypts, all decrypt.\n# Made by npm run dev. Never commit or share it; anyone with it reads every payload.\n${newKeyEntry(id)}\n`;
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  return true;
}
