import { expect } from '@jest/globals';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/** The JSON-RPC error a request ends with (it must end with one): its code and the problem's code. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: number; problem: string }> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(McpError);
  return { code: (error as McpError).code, problem: ((error as McpError).data as { code: string }).code };
}
