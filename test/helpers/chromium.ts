import { existsSync } from 'node:fs';

/**
 * Debian's Chromium, which `.ci/run` installs when it is missing (playwright's own browser
 * download cannot work on these machines). A test that needs it fails loudly without it.
 */
export const CHROMIUM = process.env.JOBNET_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium; bash .ci/run does it) or set JOBNET_CHROMIUM`);
}

/** Headless, as root, and without the background traffic a closed network refuses. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
