// Tests encrypt as production does. Loaded with --require by the npm test scripts, before
// anything else and in every test process (and the CLI and worker processes they spawn, which
// inherit the environment): a throwaway payload key, unless the environment configures one or
// turns the codec off. Plain CommonJS, so workflow worker threads can load it too.
const { randomBytes } = require('node:crypto');

if (!process.env.JOBNET_CODEC_KEYS && !process.env.JOBNET_CODEC_KEY_FILE && (process.env.JOBNET_CODEC ?? '').trim().toLowerCase() !== 'off') {
  process.env.JOBNET_CODEC_KEYS = `test:${randomBytes(32).toString('base64')}`;
}
