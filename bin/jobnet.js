#!/usr/bin/env node
// The package's `jobnet` command: runs the TypeScript sources through tsx's loader.
require('tsx/cjs/api').register();
require('../src/cli/main.ts')
  .runCli(process.argv.slice(2))
  .then((code) => process.exit(code));
