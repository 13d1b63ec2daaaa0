import { CLI_EXIT_CODE, isErrorCode } from '@nexus/core/protocol';

/** The process exit status of each error code; core's `CLI_EXIT_CODE`, under the name this package has always exported. */
export const EXIT_CODES = CLI_EXIT_CODE;

/** Exit status of a command line that could not be understood. */
export const USAGE_EXIT_CODE = CLI_EXIT_CODE.INVALID_INPUT;

/** Exit status for a code; anything unrecognised is treated as an internal failure. */
export function exitCodeOf(code: string): number {
  return isErrorCode(code) ? CLI_EXIT_CODE[code] : CLI_EXIT_CODE.INTERNAL;
}
