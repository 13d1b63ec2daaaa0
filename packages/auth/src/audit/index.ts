export { createAuditor } from './auditor.js';
export type { AuditorHandle } from './auditor.js';
export type { AuditConfig, AuditLogLevel, AuditLogLevelName, AuditRecord, AuditSinkFunction } from './config.js';
