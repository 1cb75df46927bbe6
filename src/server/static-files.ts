import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The dashboard's folder: beside this module, in src/ as in dist/ (the build copies it). */
const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

const require = createRequire(import.meta.url);

/** uPlot's browser files, from its package: no build step. */
const VENDOR: Readonly<Record<string, string>> = {
  'uplot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uplot.min.css': 'uplot/dist/uPlot.min.css',
};

interface StaticFile {
  type: string;
  body: Buffer;
}

function load(path: string): StaticFile {
  return { type: TYPES[extname(path)] ?? 'application/octet-stream', body: readFileSync(path) };
}

/**
 * The dashboard's files — `GET /` (the page), `/dashboard/<file>`, `/vendor/<file>` (uPlot) —
 * read once at start. They hold no data and ask no token: the page asks for it.
 */
export function staticRoutes(app: FastifyInstance): void {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(DASHBOARD_DIR)) {
    if (TYPES[extname(name)]) files.set(`/dashboard/${name}`, load(DASHBOARD_DIR + name));
  }
  for (const [name, specifier] of Object.entries(VENDOR)) {
    files.set(`/vendor/${name}`, load(require.resolve(specifier)));
  }
  const index = files.get('/dashboard/index.html');
  if (index) files.set('/', index);
  for (const [path, file] of files) {
    app.get(path, { config: { public: true } }, async (_request, reply) =>
      reply.type(file.type).header('cache-control', 'no-cache').send(file.body),
    );
  }
}
