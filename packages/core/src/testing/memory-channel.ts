import type { InvocationInit } from '../context.js';
import { InvalidInputError } from '../errors.js';
import type { NexusResult } from '../dispatch.js';
import type { InvocationResult } from '../invocation.js';
import { parseCredential } from '../protocol/credential.js';
import type { Nexus } from '../nexus.js';
import type { Channel } from '../plugin.js';
import type { ChannelUnderTest, ConformanceDriver, ConformanceOutcome } from './driver.js';

/** A channel with no transport: calls go straight to the pipeline. The reference for conformance. */
export interface MemoryChannel extends Channel {
  call(init: Omit<InvocationInit, 'channel'>): Promise<InvocationResult>;
}

export function createMemoryChannel(name = 'memory'): MemoryChannel {
  let app: Nexus | undefined;
  return {
    name,
    async start(started) {
      app = started;
    },
    async stop() {
      app = undefined;
    },
    call(init) {
      if (!app) throw new Error('the memory channel is not started');
      return app.dispatch({ ...init, purpose: 'invoke', channel: name });
    },
  };
}

function render(result: NexusResult): ConformanceOutcome {
  if (result.ok) return { ok: true, value: result.value, requestId: result.requestId, raw: JSON.stringify(result.value) };
  const problem = result.error.toProblem(result.requestId);
  return {
    ok: false,
    code: problem.code,
    requestId: result.requestId,
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...(problem.retryAfter === undefined ? {} : { retryAfter: problem.retryAfter }),
    raw: JSON.stringify(problem),
  };
}

/** The memory channel as a conformance target. */
export const memoryChannelUnderTest: ChannelUnderTest = {
  name: 'memory',
  credentialHeaders: true,
  async connect(app) {
    const channel = createMemoryChannel();
    app.addChannel(channel);
    await app.start();
    // The raw-header case goes through core's parser, as an HTTP channel's would.
    const credential = (token?: string, authorization?: string) =>
      authorization !== undefined ? parseCredential({ authorization }) : token === undefined ? { kind: 'none' as const } : { kind: 'bearer' as const, token };
    const driver: ConformanceDriver = {
      async invoke(call) {
        return render(
          await channel.call({
            operation: call.operation,
            input: call.input,
            credential: credential(call.token, call.authorization),
            ...(call.requestId === undefined ? {} : { requestId: call.requestId }),
            ...(call.signal === undefined ? {} : { signal: call.signal }),
          }),
        );
      },
      async invokeRaw(call) {
        let input: unknown;
        try {
          input = JSON.parse(call.json);
        } catch {
          const problem = new InvalidInputError('The input is not valid JSON.').toProblem();
          return { ok: false, code: problem.code, raw: JSON.stringify(problem) };
        }
        return driver.invoke({ operation: call.operation, input, ...(call.token === undefined ? {} : { token: call.token }) });
      },
      async list(call) {
        const listed = await app.dispatch({ purpose: 'list', channel: 'memory', credential: credential(call.token, call.authorization) });
        if (listed.ok) return { ok: true, names: listed.value.map((operation) => operation.name) };
        return render(listed) as Extract<ConformanceOutcome, { ok: false }>;
      },
      async close() {},
    };
    return driver;
  },
};
