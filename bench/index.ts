/**
 * Runs every benchmark: `npm run bench`. Re-spawns itself with --expose-gc when needed, so
 * memory figures can force a collection.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { benchEngine } from './engine-bench.ts';

const RESPAWNED = 'CALL_AGENT_BENCH_RESPAWNED';
/** Issue 4: the SQLite queue alone, claim + complete pairs per second. */
const QUEUE_TARGET_OPS = 5_000;

type Bench = () => Promise<Record<string, number>>;

function respawnWithGc(): number | undefined {
  if (typeof (globalThis as { gc?: unknown }).gc === 'function') return undefined;
  if (process.env[RESPAWNED] === '1') return undefined; // tried once: run without gc
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [RESPAWNED]: '1' } },
  );
  return child.status ?? 1;
}

/** A benchmark that another module may or may not provide yet. */
async function optional(file: string, exportName: string): Promise<Bench | undefined> {
  const url = new URL(file, import.meta.url);
  if (!existsSync(url)) return undefined;
  const mod = (await import(url.href)) as Record<string, unknown>;
  const bench = mod[exportName];
  return typeof bench === 'function' ? (bench as Bench) : undefined;
}

/** Prints the queue's rate against the target and adds the ratio to its figures. */
function withQueueTarget(bench: Bench): Bench {
  return async () => {
    const result = await bench();
    const ops = result.opsPerSecond ?? 0;
    const ratio = Number((ops / QUEUE_TARGET_OPS).toFixed(2));
    const verdict = ratio >= 1 ? 'meets' : 'BELOW';
    console.log(
      `\nqueue (SQLite file, WAL): ${ops} claim+complete ops/s = ${ratio} x the ${QUEUE_TARGET_OPS} ops/s target (${verdict})`,
    );
    return { ...result, targetOpsPerSecond: QUEUE_TARGET_OPS, ratio };
  };
}

async function main(): Promise<void> {
  const status = respawnWithGc();
  if (status !== undefined) {
    process.exitCode = status;
    return;
  }
  const benches: Array<[string, Bench]> = [['engine', benchEngine]];
  const queue = await optional('./queue-bench.ts', 'benchQueue');
  if (queue) benches.push(['queue', withQueueTarget(queue)]);
  const agent = await optional('./agent-bench.ts', 'benchAgent');
  if (agent) benches.push(['agent', agent]);
  const results: Record<string, Record<string, number>> = {};
  for (const [name, bench] of benches) results[name] = await bench();
  console.log('\nresults (JSON):');
  console.log(JSON.stringify(results, null, 2));
}

await main();
