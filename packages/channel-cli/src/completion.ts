import type { Backend } from './backend.js';

/** The flag yargs' completion script calls the program with. */
export const COMPLETION_FLAG = '--get-yargs-completions';

const COMMANDS = ['list', 'describe', 'run', 'health', 'completion'];

/**
 * Answers the shell completion script: commands, options, and after `run` / `describe` the
 * operations the caller may run. Done here rather than by yargs, whose completion runs command handlers.
 */
export async function complete(words: readonly string[], options: readonly string[], backend: () => Backend | undefined): Promise<string[]> {
  // words[0] is the program name; the last word is the one being completed.
  const current = words[words.length - 1] ?? '';
  const before = words.slice(1, -1).filter((word) => !word.startsWith('-'));
  if (current.startsWith('-')) return options.map((option) => `--${option}`).filter((option) => option.startsWith(current));
  if (before.length === 0) return COMMANDS.filter((command) => command.startsWith(current));
  if (before.length === 1 && (before[0] === 'run' || before[0] === 'describe')) {
    const listed = await backend()?.list();
    return listed?.ok ? listed.value.map((operation) => operation.name).filter((name) => name.startsWith(current)) : [];
  }
  return [];
}
