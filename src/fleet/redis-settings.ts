import type { Redis } from 'ioredis';

/** What the fleet asks of its Redis, as far as the server lets a client see it. */
export interface RedisSettings {
  /** `appendonly yes`: an acknowledged write survives a restart. Undefined: not known. */
  appendOnly: boolean | undefined;
  /** `maxmemory-policy`; undefined when CONFIG is not allowed (a managed Redis). */
  evictionPolicy: string | undefined;
  /** Replicas connected to it now (`connected_slaves`); undefined: not known. */
  replicas: number | undefined;
}

/** Reads the settings; neither INFO nor CONFIG failing is an error (a managed Redis may refuse). */
export async function readRedisSettings(redis: Redis): Promise<RedisSettings> {
  const info = await redis.info('persistence').catch(() => '');
  const aof = /^aof_enabled:(\d)/m.exec(info)?.[1];
  const replication = await redis.info('replication').catch(() => '');
  const replicas = /^connected_slaves:(\d+)/m.exec(replication)?.[1];
  const policy = await redis
    .config('GET', 'maxmemory-policy')
    .then((reply) => (reply as string[])[1])
    .catch(() => undefined);
  return {
    appendOnly: aof === undefined ? undefined : aof === '1',
    evictionPolicy: policy,
    replicas: replicas === undefined ? undefined : Number(replicas),
  };
}

/**
 * What is wrong with them for a fleet's queue, one sentence each (none: all is well).
 * `replicasBeforeCall`: the replicas each call waits for (`fleet.replicas_before_call`).
 */
export function redisSettingsWarnings(settings: RedisSettings, replicasBeforeCall = 0): string[] {
  const warnings: string[] = [];
  if (settings.appendOnly === false) {
    warnings.push(
      'Redis does not keep an append-only file (appendonly no): a restart loses what it acknowledged since its last snapshot, checkpoints and completions included',
    );
  }
  if (settings.evictionPolicy !== undefined && settings.evictionPolicy !== 'noeviction') {
    warnings.push(
      `Redis evicts keys when full (maxmemory-policy ${settings.evictionPolicy}): queued contacts could vanish; set noeviction, so that it refuses writes instead`,
    );
  }
  if (settings.replicas !== undefined && settings.replicas < replicasBeforeCall) {
    warnings.push(
      `Redis has ${settings.replicas} replica${settings.replicas === 1 ? '' : 's'} connected, and fleet.replicas_before_call asks ${replicasBeforeCall} to confirm each call: the first call will stop the worker, the call not placed`,
    );
  }
  return warnings;
}
