export { createAuditor } from './auditor.js';
export type { AuditorHandle } from './auditor.js';
export type { AuditConfig, AuditLogLevel, AuditRecord, AuditSinkFunction } from './config.js';
