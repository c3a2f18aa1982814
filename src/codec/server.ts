import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * Temporal's codec server protocol, for the Web UI and `temporal … --codec-endpoint`:
 * `POST /encode` and `POST /decode` (also under `/<namespace>/…`) take and answer
 * `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }`.
 *
 * Who can reach it holds the key: /decode reads every payload, /encode writes payloads workers
 * trust. So it listens on loopback by default, answers browsers only from the Web UI's origin
 * (CORS), and with a token set (`JOBNET_CODEC_TOKEN`) wants it on every call — as
 * `Authorization: Bearer <token>` (the CLI's `--codec-auth`, a reverse proxy) or as the cookie
 * that `GET /login` sets in a browser (the Web UI sends it with "include cross-origin
 * credentials" on).
 */

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call, e.g. http://localhost:8233 (the Web UI). */
  allowedOrigins: readonly string[];
  token?: string;
  /** Refuse /encode: a viewer's codec server that decodes only. */
  decodeOnly?: boolean;
  /** Largest request body accepted. */
  maxBodyBytes?: number;
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };

const COOKIE = 'jobnet_codec';
/** Where `npm run codec-server` listens unless told otherwise (the Web UI's port + 1 of the embedded default). */
export const DEFAULT_CODEC_PORT = 8234;
const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function payloadsOf(body: string): Payload[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  const payloads = (parsed as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads) || payloads.some((payload) => typeof payload !== 'object' || payload === null)) {
    throw new HttpError(400, 'expected { "payloads": [ { "metadata": {…}, "data": "…" } ] }');
  }
  return (payloads as JsonPayload[]).map(fromJson);
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sameSecret(given: string, expected: string): boolean {
  // Compared as digests: equal length, constant time.
  const digest = (text: string) => createHmac('sha256', 'jobnet-codec-token').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function cookieOf(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function authorized(request: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ') && sameSecret(header.slice('Bearer '.length).trim(), token)) return true;
  const cookie = cookieOf(request);
  return cookie !== undefined && sameSecret(cookie, token);
}

const LOGIN_PAGE = `<!doctype html><meta charset="utf-8"><title>jobnet codec server</title>
<form method="post" action="/login"><p>Token of this codec server (JOBNET_CODEC_TOKEN):</p>
<input type="password" name="token" autofocus> <button>Remember in this browser</button></form>
<p>Then turn on “Include cross-origin credentials” in the Web UI's codec server settings.</p>`;

/** Decodes what it can and leaves the rest as it is: the UI shows what cannot be read as ciphertext. */
async function decodeEach(codec: PayloadCodec, payloads: Payload[]): Promise<Payload[]> {
  return Promise.all(payloads.map(async (payload) => (await codec.decode([payload]).catch(() => [payload]))[0]!));
}

export function createCodecServer(options: CodecServerOptions): Server {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://codec');
    const origin = request.headers.origin;
    // The login form posts from this server's own page; every other call comes from the Web UI.
    if (origin !== undefined && url.pathname !== '/login') {
      if (!options.allowedOrigins.includes(origin))
        throw new HttpError(403, `origin ${origin} is not allowed (allowed: ${options.allowedOrigins.join(', ') || 'none'})`);
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
      response.setHeader('Vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      response.setHeader('Access-Control-Max-Age', '600');
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === '/login') {
      if (options.token === undefined) throw new HttpError(404, 'this codec server has no token');
      if (request.method === 'GET') {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(LOGIN_PAGE);
        return;
      }
      const token = new URLSearchParams(await readBody(request, 4096)).get('token') ?? '';
      if (!sameSecret(token, options.token)) throw new HttpError(401, 'wrong token');
      const secure = request.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
      response
        .writeHead(200, {
          'Set-Cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${secure}`,
          'Content-Type': 'text/plain; charset=utf-8',
        })
        .end('token kept in this browser; the Web UI may decode now\n');
      return;
    }
    const verb = url.pathname.split('/').filter(Boolean).pop();
    if (verb !== 'encode' && verb !== 'decode') throw new HttpError(404, 'POST /encode or /decode');
    if (request.method !== 'POST') throw new HttpError(405, `POST /${verb}`);
    if (!authorized(request, options.token))
      throw new HttpError(401, 'a token is required: Authorization: Bearer <JOBNET_CODEC_TOKEN>, or GET /login in a browser');
    if (verb === 'encode' && options.decodeOnly) throw new HttpError(403, 'this codec server decodes only');
    const payloads = payloadsOf(await readBody(request, limit));
    const answered = verb === 'encode' ? await options.codec.encode(payloads) : await decodeEach(options.codec, payloads);
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ payloads: answered.map(toJson) }));
  };
  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'internal error';
      if (!response.headersSent) response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${message}\n`);
    });
  });
}
