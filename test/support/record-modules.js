// `--import` this file (NODE_OPTIONS) to append the URL of every module the process loads to
// the file named by RECORD_MODULES_TO, one a line: a test can then see what a command loaded.
import { register } from 'node:module';

register('./record-modules-hooks.js', import.meta.url, {
  data: { file: process.env.RECORD_MODULES_TO },
});
