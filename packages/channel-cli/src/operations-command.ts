import type { Argv } from 'yargs';
import type { JobListAnswer, JobListPage, JobRecord } from '@nexus/core';
import type { Backend, Outcome } from './backend.js';

type Handler = <A>(body: (args: A & Record<string, unknown>, backend: Backend) => Promise<number>) => (parsed: unknown) => Promise<void>;
type Show = (outcome: Outcome<unknown>, args: Record<string, unknown>) => number;

const idOption = (y: Argv) => y.positional('id', { type: 'string', describe: 'Operation id (printed by run --async)' });

interface ListArgs {
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

const pageOptions = (y: Argv) => y
  .option('limit', { type: 'number', describe: 'Jobs per page, 1-100 [default: 100]', requiresArg: true })
  .option('cursor', { type: 'string', describe: 'Start after an earlier page: the cursor printed with it', requiresArg: true })
  .option('all', { type: 'boolean', describe: 'Follow every page and print all of your jobs' });

/** Every page from `page` on, as one; the first refusal ends it. */
async function everyPage(backend: Backend, page: JobListPage): Promise<Outcome<JobListAnswer>> {
  const operations: JobRecord[] = [];
  let cursor = page.cursor;
  for (;;) {
    const outcome = await backend.jobs({ ...page, ...(cursor === undefined ? {} : { cursor }) });
    if (!outcome.ok) return outcome;
    operations.push(...outcome.value.operations);
    cursor = outcome.value.nextCursor;
    if (cursor === undefined) return { ...outcome, value: { operations } };
  }
}

/**
 * `operations get|cancel|list`: the caller's own jobs, printed as their records. A list prints
 * one page as a JSON array (as before pages existed); `more` says on stderr how to read the next.
 */
export function operationsCommand(handle: Handler, show: Show, more: (cursor: string) => void): [string, string, (y: Argv) => Argv, () => void] {
  return [
    'operations',
    'Jobs of long-running operations: get <id>, cancel <id>, list',
    (y: Argv) => y
      .command('get <id>', 'Show one of your jobs: status, progress, then result or problem', idOption, handle<{ id: string }>(async (args, backend) => show(await backend.job(args.id), args)))
      .command('cancel <id>', 'Cancel one of your queued or running jobs (exit 65 once it finished)', idOption, handle<{ id: string }>(async (args, backend) => show(await backend.cancelJob(args.id), args)))
      .command('list', 'Your jobs in this tenant, newest first, a page at a time (the next page\'s cursor goes to stderr)', pageOptions, handle<ListArgs>(async (args, backend) => {
        const page = { ...(args.limit === undefined ? {} : { limit: args.limit }), ...(args.cursor === undefined ? {} : { cursor: args.cursor }) };
        const outcome = args.all === true ? await everyPage(backend, page) : await backend.jobs(page);
        const code = show(outcome.ok ? { ...outcome, value: outcome.value.operations } : outcome, args);
        if (outcome.ok && outcome.value.nextCursor !== undefined) more(outcome.value.nextCursor);
        return code;
      }))
      .demandCommand(1, 'Name an action: get <id>, cancel <id> or list.'),
    () => {},
  ];
}
