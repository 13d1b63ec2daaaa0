import type { Argv } from 'yargs';
import type { Backend, Outcome } from './backend.js';

type Handler = <A>(body: (args: A & Record<string, unknown>, backend: Backend) => Promise<number>) => (parsed: unknown) => Promise<void>;
type Show = (outcome: Outcome<unknown>, args: Record<string, unknown>) => number;

const idOption = (y: Argv) => y.positional('id', { type: 'string', describe: 'Operation id (printed by run --async)' });

/** `operations get|cancel|list`: the caller's own jobs, printed as their records. */
export function operationsCommand(handle: Handler, show: Show): [string, string, (y: Argv) => Argv, () => void] {
  return [
    'operations',
    'Jobs of long-running operations: get <id>, cancel <id>, list',
    (y: Argv) => y
      .command('get <id>', 'Show one of your jobs: status, progress, then result or problem', idOption, handle<{ id: string }>(async (args, backend) => show(await backend.job(args.id), args)))
      .command('cancel <id>', 'Cancel one of your queued or running jobs (exit 65 once it finished)', idOption, handle<{ id: string }>(async (args, backend) => show(await backend.cancelJob(args.id), args)))
      .command('list', 'Your jobs in this tenant, newest first', {}, handle(async (args, backend) => show(await backend.jobs(), args)))
      .demandCommand(1, 'Name an action: get <id>, cancel <id> or list.'),
    () => {},
  ];
}
