/** Observability: event → structured log line, Google Sheets sink, Prometheus metrics. */
export {
  LOG_LEVELS,
  type LogLevel,
  type LogRecord,
  type AgentEvent,
  type AgentEventType,
  type ObservedEvent,
} from './log-record.ts';
export { toLogRecord } from './log-line.ts';
export { createRedactor, redact, maskPhoneNumber, type Redactor } from '../redaction/redact.ts';
export { formatPretty } from './pretty-format.ts';
export {
  createLogger,
  loggerDefaults,
  type Logger,
  type LoggerOptions,
  type LogSink,
  type LineFields,
} from './logger.ts';
export {
  observe,
  type EventSource,
  type PolicyEventSource,
  type ProbeEventSource,
} from './event-source.ts';
export { attachLogging, type AttachLoggingOptions } from './attach-logging.ts';
export {
  createMetrics,
  metricsDefaults,
  CIRCUIT_STATE_VALUE,
  type Metrics,
  type MetricsOptions,
} from './metrics.ts';
export { attachMetrics } from './attach-metrics.ts';
export {
  startMetricsServer,
  type MetricsServer,
  type MetricsServerOptions,
} from './metrics-server.ts';
export {
  SheetsSink,
  sheetsPolicy,
  sheetsSinkDefaults,
  type SheetsAppender,
  type SheetsSinkOptions,
  type SheetsSinkStats,
} from './sheets/sheets-sink.ts';
export { sheetsSinkFromEnv, type SheetsFromEnvDependencies } from './sheets/sheets-from-env.ts';
export { SheetsClient, type SheetsClientOptions } from './sheets/sheets-client.ts';
export {
  ServiceAccountTokenSource,
  SHEETS_SCOPE,
  type TokenSource,
  type ServiceAccountTokenSourceOptions,
} from './sheets/token-source.ts';
export {
  loadServiceAccountKey,
  parseServiceAccountKey,
  signServiceAccountJwt,
  type ServiceAccountKey,
} from './sheets/service-account.ts';
export {
  SHEET_COLUMNS,
  toSheetRow,
  eventIdColumnRange,
  type SheetValue,
} from './sheets/sheet-row.ts';
