#!/usr/bin/env node
// The scheme-http command. Runs the compiled CLI (`npm run build`, done by `npm ci`/`npm install`).
import('../dist/cli.js');
