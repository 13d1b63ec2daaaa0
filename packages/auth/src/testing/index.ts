export { CONFORMANCE_AUTH_SECRET, CONFORMANCE_RBAC, createConformanceAuth } from './conformance-auth.js';
export type { ConformanceAuthOptions } from './conformance-auth.js';
