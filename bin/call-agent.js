#!/usr/bin/env node
// Runs the compiled CLI: dist/ is built by `npm run build`, which `npm install` runs (prepare).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv);
