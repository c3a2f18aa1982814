/**
 * `npm run codec-server` — decodes jobnet's payloads for the Temporal Web UI and the
 * `temporal` CLI (Temporal's codec server protocol), with the same keys as the workers.
 * `npm run dev` starts one for its Web UI.
 */
import { Command, CommanderError } from 'commander';
import { AesGcmCodec } from './codec/aes-gcm-codec';
import { codecSettings } from './codec/keys';
import { DEFAULT_CODEC_PORT, createCodecServer } from './codec/server';
import { InvalidInputError } from './validation/validation-error';
import { exitCodeOf } from './cli/main';
import { createLogger } from './temporal/logger';

const program = new Command('jobnet-codec-server')
  .description("Serve /encode and /decode for the Temporal Web UI and CLI with jobnet's payload keys.")
  .option('--host <address>', 'address to listen on (default: JOBNET_CODEC_HOST or 127.0.0.1 — only this machine)')
  .option('--port <port>', `port (default: JOBNET_CODEC_PORT or ${DEFAULT_CODEC_PORT})`)
  .option(
    '--ui-origin <origins>',
    'comma-separated browser origins allowed to call (default: JOBNET_CODEC_UI_ORIGINS or http://localhost:8233,http://127.0.0.1:8233)',
  )
  .option('--decode-only', 'refuse /encode (viewers cannot write payloads workers trust)')
  .option('-l, --log-level <level>', 'trace | debug | info | warn | error')
  .exitOverride();

function portOf(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidInputError([{ path: '--port', message: `"${value}" is not a port (1–65535)` }], 'arguments');
  return port;
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ host?: string; port?: string; uiOrigin?: string; decodeOnly?: boolean; logLevel?: string }>();
  const logger = createLogger({ name: 'codec-server', level: options.logLevel });
  const settings = codecSettings();
  if (settings.mode === 'off')
    throw new InvalidInputError([{ path: 'JOBNET_CODEC', message: 'is off: there is nothing to decode; unset it, or give the keys' }], 'codec settings');
  const host = options.host ?? process.env.JOBNET_CODEC_HOST ?? '127.0.0.1';
  const port = portOf(options.port ?? process.env.JOBNET_CODEC_PORT ?? String(DEFAULT_CODEC_PORT));
  const allowedOrigins = (options.uiOrigin ?? process.env.JOBNET_CODEC_UI_ORIGINS ?? 'http://localhost:8233,http://127.0.0.1:8233')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const token = process.env.JOBNET_CODEC_TOKEN || undefined;
  const server = createCodecServer({ codec: new AesGcmCodec(settings.keyring, 'client'), allowedOrigins, token, decodeOnly: options.decodeOnly });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new InvalidInputError([{ path: '--port', message: `${host}:${port} is taken; choose another with --port or JOBNET_CODEC_PORT` }], 'arguments')
          : error,
      ),
    );
    server.listen(port, host, resolve);
  });
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && token === undefined) {
    logger.warn(`listening on ${host} without JOBNET_CODEC_TOKEN: whoever reaches this port can read and write payloads as a key holder`);
  }
  // (Field names with "key" or "token" in them are redacted by the logger.)
  logger.info(
    { url: `http://${host}:${port}`, allowedOrigins, authenticated: token !== undefined, decodeOnly: options.decodeOnly === true },
    `codec server ready, encrypting under "${settings.keyring.current.id}"`,
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  if (!(error instanceof CommanderError)) process.stderr.write(`jobnet codec-server: ${error.message}\n`);
  process.exit(exitCodeOf(error));
});
