/** The patterns document's enterprise roles, plus a data-protection officer for the GDPR operations. */
export const ROLES = {
  admin: ['*'],
  developer: ['read:*', 'write:*', 'execute:*'],
  operator: ['read:*', 'execute:monitoring'],
  executive: ['read:dashboards', 'read:reports'],
  dpo: ['read:personal_data', 'delete:personal_data'],
} as const satisfies Record<string, readonly string[]>;

export type RoleName = keyof typeof ROLES;

/** Fields audit redacts at any depth: credentials and the PII the GDPR/HIPAA patterns name. */
export const REDACT_FIELDS = ['password', 'token', 'secret', 'api_key', 'apikey', 'authorization', 'ssn', 'credit_card', 'dob', 'diagnosis', 'medication'];
