/** A fleet of workers on Redis: the call queue, and the resilience state they share. */
export { Fleet, type FleetOptions, type FleetLogLevel } from './fleet.ts';
export { fleetLinkDefaults, type FleetStatus } from './fleet-link.ts';
export type { ServiceLimits } from './fleet-limits.ts';
export { liveWorkers } from './live-workers.ts';
export {
  queueConnection,
  commandConnection,
  redisLocation,
  closeConnection,
  waitForRedis,
  selectDatabase,
} from './redis-connections.ts';
export { readRedisSettings, redisSettingsWarnings, type RedisSettings } from './redis-settings.ts';
