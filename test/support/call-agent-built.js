// `call-agent` as the tests run it: compiled from src/ at the start of the test run
// (build-cli.ts, vitest's global setup), so it is always the sources as they are now. Users
// run bin/call-agent.js (dist/), which test/package/pack.test.ts checks from a tarball.
const { main } = await import('../../.test-build/cli.js');

process.exitCode = await main(process.argv);
