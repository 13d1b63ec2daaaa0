import type { OperationSummary } from './backend.js';
import { suggestOption } from './options.js';

/** The epilog of `--help`: what the caller may run. */
export function catalogue(operations: readonly OperationSummary[]): string {
  if (operations.length === 0) return 'You may not run any operation.';
  const width = Math.max(...operations.map((operation) => operation.name.length));
  return ['Operations you may run:', ...operations.map((operation) => `  ${operation.name.padEnd(width)}  ${operation.description}`)].join('\n');
}

/** What each command takes besides its own name, for a caller who gave it more words. */
const TAKES: Readonly<Record<string, string>> = {
  list: 'none',
  describe: 'one <name>',
  run: 'one <name> (input goes in --param key=value, --input or --<field>)',
  'operations get': 'one <id>',
  'operations cancel': 'one <id>',
  'operations list': 'none',
  health: 'none',
  completion: 'one [shell]',
};

/** Turns yargs' terse messages into ones that name the mistake and suggest the fix. */
export function explain(message: string, positional: readonly string[], known: readonly string[]): string {
  // `operations <action>` nests its commands: the word in question is the action.
  const word = positional[0] === 'operations' ? positional[1] : positional[0];
  if (message.startsWith('Did you mean')) return `Unknown command "${word}". ${message}`;
  if (positional[0] === 'operations' && message.startsWith('Not enough non-option arguments')) return `Name the operation id: operations ${word} <id>.`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (!unknown) return message;
  const names = unknown[1]!.split(', ');
  if (names.length === 1 && word === names[0]) return `Unknown command "${names[0]}".`;
  // yargs reports a word too many like an unknown option: say it is a word the command does not take.
  const command = positional[0] === 'operations' ? `operations ${word}` : word ?? '';
  const extra = names.filter((name) => positional.slice(1).includes(name));
  if (extra.length === names.length && TAKES[command] !== undefined) {
    return `Unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((name) => `"${name}"`).join(', ')}: ${command} takes ${TAKES[command]}.`;
  }
  const hints = names.map((name) => {
    const suggestion = suggestOption(name, known);
    return suggestion ? `--${name} (did you mean --${suggestion}?)` : `--${name}`;
  });
  return `Unknown option${names.length > 1 ? 's' : ''}: ${hints.join(', ')}`;
}
