const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }];

/** Shared Jest setup: native ESM, TypeScript through swc, tests in each package's test/ folder. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': swc,
    // jose@6 is ESM-only and jwks-rsa@4 (CJS) require()s it; Jest can require(esm) only on Node >= 24.9.
    '/node_modules/(?:\\.pnpm/[^/]+/node_modules/)?jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!\\.pnpm/jose@|jose/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
};
