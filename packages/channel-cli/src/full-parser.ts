/**
 * What only the full parser uses: yargs itself, help (the catalogue, suggestions), shell
 * completion and the `operations` commands. A plain `run <name>` (see simple-run.ts) needs none
 * of it, so it is loaded as one module only for other command lines.
 */
export { default as yargs } from 'yargs';
export { COMPLETION_FLAG, COMPLETION_SHELLS, complete, completionScript } from './completion.js';
export { catalogue, explain } from './usage.js';
export { operationsCommand } from './operations-command.js';
