import { KeyObject, createPublicKey, createSecretKey } from 'node:crypto';
import { NexusSetupError } from '@nexus/core';

/** Signature algorithms Nexus accepts; anything else (including `none`) is a setup error. */
export const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;
export type JwtAlgorithm = (typeof ALGORITHMS)[number];

/** The key of a `JWTConfig`: exactly one of a shared secret, a public key or a JWKS endpoint. */
export type JwtKeyConfig =
  | {
      /** HS shared secret, at least 32 bytes. */
      readonly secret: string | Buffer;
      readonly publicKey?: never;
      readonly jwksUrl?: never;
    }
  | {
      /** PEM (SPKI or certificate) public key for RS/ES tokens. */
      readonly publicKey: string | Buffer | KeyObject;
      readonly secret?: never;
      readonly jwksUrl?: never;
    }
  | {
      /** JWKS endpoint of the identity provider (RS/ES). */
      readonly jwksUrl: string;
      readonly secret?: never;
      readonly publicKey?: never;
    };

/** How bearer tokens are verified: one key (`JwtKeyConfig`) plus the checks below. */
export type JWTConfig = JwtKeyConfig & JwtVerificationOptions;

/** Everything of a `JWTConfig` besides its key. */
export interface JwtVerificationOptions {
  /** Defaults to HS256 with a secret, RS256 otherwise. */
  readonly algorithm?: JwtAlgorithm;
  /** Seconds the fetched key set is trusted before it is refetched (3600). */
  readonly jwksCacheTtl?: number;
  /** Minimum seconds between refetches caused by an unknown `kid` (30). */
  readonly jwksCooldown?: number;
  /** Seconds a JWKS fetch may take (5). */
  readonly jwksTimeout?: number;
  /** Required `iss`; when set, a token without it is refused. */
  readonly issuer?: string | readonly string[];
  /** Required `aud`; when set, a token without a matching one is refused. */
  readonly audience?: string | readonly string[];
  /** Clock skew tolerated on `exp`, `nbf` and `maxTokenAge`, in seconds (0). */
  readonly leeway?: number;
  /** Refuse tokens without `exp` (true). */
  readonly verifyExp?: boolean;
  /** Refuse tokens whose `iat` is older than this many seconds. */
  readonly maxTokenAge?: number;
  /**
   * Path globs of native HTTP routes (not operations) that need no credential, matched against
   * the request path ([]). Routes declare this themselves (`public: true` when mounted), and the
   * API channel's health, metrics and docs routes already do.
   * @deprecated Declare `{ public: true }` where the route is mounted (`api.addRouter(path, router, { public: true })`).
   */
  readonly exemptPaths?: readonly string[];
  /** Claim holding the roles, a string or a list (`roles`). */
  readonly rolesClaim?: string;
  /** Tokens longer than this many characters are refused unparsed (8192). */
  readonly maxTokenLength?: number;
  /** Verified tokens remembered (keyed by their hash) to skip repeated signature checks; 0 disables (10000). */
  readonly tokenCacheSize?: number;
}

export type KeyFamily = 'HS' | 'RS' | 'ES';

/** Validated configuration with key material prepared once. */
export interface ResolvedJwtConfig {
  readonly algorithm: JwtAlgorithm;
  readonly family: KeyFamily;
  readonly staticKey: KeyObject | undefined;
  readonly jwksUrl: string | undefined;
  readonly jwksCacheTtlMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksTimeoutMs: number;
  readonly issuer: string | [string, ...string[]] | undefined;
  readonly audience: string | [string, ...string[]] | undefined;
  readonly leeway: number;
  readonly verifyExp: boolean;
  readonly maxTokenAge: number | undefined;
  readonly exemptPaths: readonly string[];
  readonly rolesClaim: string;
  readonly maxTokenLength: number;
  readonly tokenCacheSize: number;
}

const MIN_SECRET_BYTES = 32;

function fail(message: string): never {
  throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', message);
}

function seconds(name: string, value: number | undefined, fallback: number, allowZero = true): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    fail(`jwt.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of seconds`);
  }
  return value;
}

function stringList(name: string, value: string | readonly string[] | undefined): string | [string, ...string[]] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string' || item.length === 0)) {
    fail(`jwt.${name} must be a non-empty string or a non-empty list of them`);
  }
  return list.length === 1 ? (list[0] as string) : ([...list] as [string, ...string[]]);
}

function secretKey(secret: string | Buffer): KeyObject {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (!Buffer.isBuffer(bytes)) fail('jwt.secret must be a string or a Buffer');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new NexusSetupError('NEXUS_ERR_WEAK_SECRET', `jwt.secret has ${bytes.length} bytes; HS algorithms need at least ${MIN_SECRET_BYTES} (e.g. \`openssl rand -base64 48\`)`);
  }
  return createSecretKey(bytes);
}

function publicKey(value: string | Buffer | KeyObject, family: KeyFamily): KeyObject {
  let key: KeyObject;
  try {
    key = value instanceof KeyObject ? value : createPublicKey(value);
  } catch (cause) {
    throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', 'jwt.publicKey is not a readable PEM public key or certificate', { cause });
  }
  if (key.type === 'private') key = createPublicKey(key);
  const type = key.asymmetricKeyType;
  const fits = family === 'RS' ? type === 'rsa' || type === 'rsa-pss' : type === 'ec';
  if (key.type !== 'public' || !fits) fail(`jwt.publicKey is a ${type ?? key.type} key, which cannot verify ${family} tokens`);
  return key;
}

/** Validates a JWTConfig and prepares its key material (never a string secret per call). */
export function resolveJwtConfig(config: JWTConfig): ResolvedJwtConfig {
  if (typeof config !== 'object' || config === null) fail('jwt must be a JWTConfig object');
  const sources = [config.secret, config.publicKey, config.jwksUrl].filter((value) => value !== undefined).length;
  if (config.secret !== undefined && (config.publicKey !== undefined || config.jwksUrl !== undefined)) {
    throw new NexusSetupError('NEXUS_ERR_AUTH_KEY_CONFLICT', 'jwt.secret (HS) cannot be combined with jwt.publicKey or jwt.jwksUrl (RS/ES): configure one kind of key');
  }
  if (sources === 0) fail('jwt needs one of secret (HS), publicKey or jwksUrl (RS/ES)');
  if (sources > 1) throw new NexusSetupError('NEXUS_ERR_AUTH_KEY_CONFLICT', 'configure either jwt.publicKey or jwt.jwksUrl, not both');

  const algorithm = config.algorithm ?? (config.secret !== undefined ? 'HS256' : 'RS256');
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new NexusSetupError('NEXUS_ERR_AUTH_ALGORITHM', `jwt.algorithm ${JSON.stringify(algorithm)} is not supported; use one of ${ALGORITHMS.join(', ')}`);
  }
  const family = algorithm.slice(0, 2) as KeyFamily;
  if (config.secret !== undefined && family !== 'HS') fail(`jwt.algorithm ${algorithm} needs publicKey or jwksUrl; a secret only works with HS256/384/512`);
  if (config.secret === undefined && family === 'HS') fail(`jwt.algorithm ${algorithm} needs jwt.secret`);

  let jwksUrl: string | undefined;
  if (config.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(config.jwksUrl);
    } catch {
      fail(`jwt.jwksUrl ${JSON.stringify(config.jwksUrl)} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('jwt.jwksUrl must be an http(s) URL');
    jwksUrl = url.toString();
  }
  const rolesClaim = config.rolesClaim ?? 'roles';
  if (typeof rolesClaim !== 'string' || rolesClaim.length === 0) fail('jwt.rolesClaim must be a claim name');
  const exemptPaths = config.exemptPaths ?? [];
  if (!Array.isArray(exemptPaths) || exemptPaths.some((path) => typeof path !== 'string' || !path.startsWith('/'))) {
    fail('jwt.exemptPaths must be a list of paths starting with "/"');
  }
  const tokenCacheSize = config.tokenCacheSize ?? 10_000;
  if (!Number.isInteger(tokenCacheSize) || tokenCacheSize < 0) fail('jwt.tokenCacheSize must be a non-negative integer');
  const maxTokenLength = config.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 64) fail('jwt.maxTokenLength must be an integer of at least 64');
  if (config.verifyExp !== undefined && typeof config.verifyExp !== 'boolean') fail('jwt.verifyExp must be a boolean');

  return Object.freeze({
    algorithm,
    family,
    staticKey: config.secret !== undefined ? secretKey(config.secret) : config.publicKey !== undefined ? publicKey(config.publicKey, family) : undefined,
    jwksUrl,
    jwksCacheTtlMs: seconds('jwksCacheTtl', config.jwksCacheTtl, 3600, false) * 1000,
    jwksCooldownMs: seconds('jwksCooldown', config.jwksCooldown, 30) * 1000,
    jwksTimeoutMs: seconds('jwksTimeout', config.jwksTimeout, 5, false) * 1000,
    issuer: stringList('issuer', config.issuer),
    audience: stringList('audience', config.audience),
    leeway: seconds('leeway', config.leeway, 0),
    verifyExp: config.verifyExp ?? true,
    maxTokenAge: config.maxTokenAge === undefined ? undefined : seconds('maxTokenAge', config.maxTokenAge, 0, false),
    exemptPaths: Object.freeze([...exemptPaths]),
    rolesClaim,
    maxTokenLength,
    tokenCacheSize,
  });
}
