// The loader hooks of record-modules.js (they run on Node's hooks thread). Written at once,
// not on exit, so a module loaded last is not lost.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
