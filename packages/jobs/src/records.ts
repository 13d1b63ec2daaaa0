import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError } from '@nexus/core';
import type { JobCaller, JobFilter, JobPosition, JobRecord, JobStatus, StoredJob } from '@nexus/core';

const TERMINAL = new Set<JobStatus>(['succeeded', 'failed', 'cancelled']);
export const isTerminal = (status: JobStatus): boolean => TERMINAL.has(status);

/**
 * Writes a record unless the job already ended, so a cancel is never overwritten by a late
 * result. The status sits in its own hash field: the script compares it without decoding the
 * record (cjson would turn empty arrays of results into objects).
 * KEYS: record hash, finished set of the new status, the job's changes channel.
 * ARGV: status, record JSON, ttl seconds ('' while running), now ms, operation id.
 */
const WRITE_UNLESS_FINAL = `
local s = redis.call('HGET', KEYS[1], 's')
if not s then return 0 end
if s == 'succeeded' or s == 'failed' or s == 'cancelled' then return -1 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
end
redis.call('PUBLISH', KEYS[3], ARGV[2])
return 1
`;

/**
 * Takes a queued job for running in one round trip: the record turns `running` (with
 * `startedAt`) and is returned with what running it needs. A job that is already running (its
 * worker died) or ended comes back unchanged, for the caller to judge.
 * KEYS: record hash, the job's changes channel. ARGV: startedAt.
 * Returns nil (gone) or {status, record JSON, extra JSON}.
 */
const START = `
local v = redis.call('HMGET', KEYS[1], 's', 'r', 'j')
if not v[1] or not v[2] or not v[3] then return nil end
if v[1] ~= 'queued' then return {v[1], v[2], v[3]} end
local record = cjson.decode(v[2])
record['status'] = 'running'
record['startedAt'] = ARGV[1]
local json = cjson.encode(record)
redis.call('HSET', KEYS[1], 's', 'running', 'r', json)
redis.call('PUBLISH', KEYS[2], json)
return {'running', json, v[3], 'started'}
`;

/**
 * Stores a new job's record and indexes it under its owner and its tenant, in one step. A script
 * rather than MULTI: the connection also carries BullMQ's scripts, and every MULTI on it copies them all.
 * KEYS: record hash, owner index, tenant index. ARGV: status, record JSON, extra JSON, createdAt ms, operation id.
 */
const CREATE = `
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', ARGV[2], 'j', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
return 1
`;

const sha = (script: string) => createHash('sha1').update(script).digest('hex');
const SHAS = new Map([WRITE_UNLESS_FINAL, START, CREATE].map((body) => [body, sha(body)]));

/** Runs a script by its hash (Redis keeps it), sending its text only when Redis lacks it. */
async function script(client: Redis, body: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  try {
    return await client.evalsha(SHAS.get(body)!, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(body, keys.length, ...keys, ...args);
  }
}

interface Extra {
  readonly input: unknown;
  readonly caller: JobCaller;
  readonly idempotent: boolean;
}

export interface LoadedJob extends StoredJob {
  readonly idempotent: boolean;
}

/**
 * Job records in Redis, next to BullMQ's own keys: BullMQ delivers jobs, these keys say what
 * callers see (status, progress, result) and expire `ttlSeconds` after a job ends.
 */
export class RecordStore {
  readonly cancels: string;

  constructor(
    private readonly base: string,
    private readonly ttlSeconds: number,
  ) {
    this.cancels = `${base}:cancels`;
  }

  /**
   * The channel a job's record changes are published on, as the record's JSON: one per job, so
   * a process hears (and decodes) the changes of just the jobs its callers wait on. (Named apart
   * from the earlier shared `events` channel: processes of both versions never misread one
   * another during a rolling upgrade, and their waiting reads still re-read the store.)
   */
  changes(id: string): string {
    return `${this.base}:changes:${id}`;
  }

  /** The job whose changes `channel` carries. */
  jobOfChanges(channel: string): string {
    return channel.slice(this.base.length + ':changes:'.length);
  }

  private key(id: string): string {
    return `${this.base}:rec:${id}`;
  }

  private owner(filter: { tenantId: string | undefined; principalId?: string | undefined }): string {
    // JSON keeps a tenant named like a separator from colliding with another tenant's key.
    return `${this.base}:own:${JSON.stringify([filter.tenantId ?? null, filter.principalId ?? null])}`;
  }

  /** Every job of one tenant (what its admin lists), whoever submitted it. */
  private tenant(tenantId: string | undefined): string {
    return `${this.base}:tenant:${JSON.stringify([tenantId ?? null])}`;
  }

  private index(filter: JobFilter): string {
    return filter.principalId === undefined ? this.tenant(filter.tenantId) : this.owner(filter);
  }

  private finished(status: JobStatus): string {
    return `${this.base}:done:${status}`;
  }

  async create(client: Redis, record: JobRecord, extra: Extra): Promise<void> {
    const owner = this.owner({ tenantId: extra.caller.tenant?.id, principalId: extra.caller.principal?.id });
    await script(client, CREATE, [this.key(record.operationId), owner, this.tenant(extra.caller.tenant?.id)], [record.status, JSON.stringify(record), JSON.stringify(extra), String(Date.parse(record.createdAt)), record.operationId]);
  }

  async remove(client: Redis, record: JobRecord, caller: JobCaller): Promise<void> {
    await client.multi()
      .del(this.key(record.operationId))
      .zrem(this.owner({ tenantId: caller.tenant?.id, principalId: caller.principal?.id }), record.operationId)
      .zrem(this.tenant(caller.tenant?.id), record.operationId)
      .exec();
  }

  async load(client: Redis, id: string): Promise<LoadedJob | undefined> {
    const [record, extra] = await client.hmget(this.key(id), 'r', 'j');
    if (record == null || extra == null) return undefined;
    const parsed = JSON.parse(extra) as Extra;
    return { record: JSON.parse(record) as JobRecord, input: parsed.input, caller: parsed.caller, idempotent: parsed.idempotent };
  }

  /** Loads a job and, when it was queued, marks it running; `started` says whether this call did. */
  async start(client: Redis, id: string): Promise<(LoadedJob & { readonly started: boolean }) | undefined> {
    const answer = (await script(client, START, [this.key(id), this.changes(id)], [new Date().toISOString()])) as string[] | null;
    if (answer === null) return undefined;
    const extra = JSON.parse(answer[2]!) as Extra;
    return { record: JSON.parse(answer[1]!) as JobRecord, input: extra.input, caller: extra.caller, idempotent: extra.idempotent, started: answer[3] === 'started' };
  }

  /** Writes `record` unless the job already ended: 'written', 'final' (it had ended) or 'gone'. */
  async write(client: Redis, record: JobRecord): Promise<'written' | 'final' | 'gone'> {
    const json = JSON.stringify(record);
    const terminal = isTerminal(record.status);
    const answer = (await script(client, WRITE_UNLESS_FINAL,
      [this.key(record.operationId), this.finished(record.status), this.changes(record.operationId)],
      [record.status, json, terminal ? String(this.ttlSeconds) : '', String(Date.now()), record.operationId],
    )) as number;
    return answer === 1 ? 'written' : answer === -1 ? 'final' : 'gone';
  }

  /** Marks a job cancelled; undefined when unknown, ConflictError once it ended. */
  async cancel(client: Redis, id: string): Promise<JobRecord | undefined> {
    const job = await this.load(client, id);
    if (job === undefined) return undefined;
    const final = () => new ConflictError(`Operation ${id} already finished.`);
    if (isTerminal(job.record.status)) throw final();
    const record: JobRecord = { ...job.record, status: 'cancelled', finishedAt: new Date().toISOString() };
    const written = await this.write(client, record);
    if (written === 'final') throw final();
    if (written === 'gone') return undefined;
    await client.publish(this.cancels, id);
    return record;
  }

  async list(client: Redis, filter: JobFilter, limit: number, after?: JobPosition): Promise<StoredJob[]> {
    const owner = this.index(filter);
    // Ended jobs expire on their own; their index entries are trimmed here.
    await client.zremrangebyscore(owner, '-inf', Date.now() - 2 * this.ttlSeconds * 1000);
    const jobs: StoredJob[] = [];
    let position = after;
    // Each batch starts past the last id read, not at an offset: jobs created or trimmed meanwhile move no page.
    while (jobs.length < limit) {
      const wanted = limit - jobs.length;
      const batch = await this.idsAfter(client, owner, position, wanted);
      for (const [id] of batch) {
        const job = await this.load(client, id);
        if (job === undefined) await client.zrem(owner, id);
        else jobs.push({ record: job.record, input: job.input, caller: job.caller });
      }
      if (batch.length < wanted) break;
      const [id, createdAtMs] = batch[batch.length - 1]!;
      position = { createdAtMs, operationId: id };
    }
    return jobs;
  }

  /** Up to `count` ids of `index` past `position`, newest first (equal scores by id descending, as ZREVRANGE orders them). */
  private async idsAfter(client: Redis, index: string, position: JobPosition | undefined, count: number): Promise<Array<[string, number]>> {
    const found: Array<[string, number]> = [];
    let max = '+inf';
    if (position !== undefined) {
      const { createdAtMs, operationId } = position;
      const same = await client.zrangebyscore(index, createdAtMs, createdAtMs);
      for (let i = same.length - 1; i >= 0 && found.length < count; i--) if (same[i]! < operationId) found.push([same[i]!, createdAtMs]);
      max = `(${createdAtMs}`;
    }
    if (found.length === count) return found;
    const older = await client.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, count - found.length);
    for (let i = 0; i < older.length; i += 2) found.push([older[i]!, Number(older[i + 1])]);
    return found;
  }

  /** Ended jobs still readable, per final status. */
  async finishedCounts(client: Redis): Promise<Record<'succeeded' | 'failed' | 'cancelled', number>> {
    const horizon = Date.now() - this.ttlSeconds * 1000;
    const count = async (status: JobStatus) => {
      await client.zremrangebyscore(this.finished(status), '-inf', horizon);
      return client.zcard(this.finished(status));
    };
    return { succeeded: await count('succeeded'), failed: await count('failed'), cancelled: await count('cancelled') };
  }
}
