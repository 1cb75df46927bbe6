/* global fetch, URL */
// Loaded with `--import` before an example runs: Node loads fetch (undici) on its first use,
// which on a busy machine can take longer than an example's deadlines once the test has sped
// its time up. One request to a path the flaky server does not count does that beforehand.
await fetch(new URL('/warm-up', process.env.QUOTE_URL))
  .then((response) => response.arrayBuffer())
  .catch(() => undefined);
