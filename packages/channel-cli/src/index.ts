export { createCli } from './create-cli.js';
export type { Cli, CliOptions } from './create-cli.js';
export { createRemoteCli } from './remote-cli.js';
export type { CliIo } from './program.js';
export type { Output, OutputMode } from './render.js';
export { EXIT_CODES, USAGE_EXIT_CODE } from './exit-codes.js';
export { CLI_CHANNEL } from './local-backend.js';
export type { OperationSummary } from './backend.js';
