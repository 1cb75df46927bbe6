// `call-agent` run from src/ through tsx: the end-to-end tests exercise the sources as they are
// now, never a dist/ built before the last edit. Users run bin/call-agent.js (the compiled CLI),
// which test/package/pack.test.ts checks from an installed tarball.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../src/cli.ts');
process.exitCode = await main(process.argv);
