import type { OperationSummary } from './backend.js';
import { suggestOption } from './options.js';

/** The epilog of `--help`: what the caller may run. */
export function catalogue(operations: readonly OperationSummary[]): string {
  if (operations.length === 0) return 'You may not run any operation.';
  const width = Math.max(...operations.map((operation) => operation.name.length));
  return ['Operations you may run:', ...operations.map((operation) => `  ${operation.name.padEnd(width)}  ${operation.description}`)].join('\n');
}

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
  const hints = names.map((name) => {
    const suggestion = suggestOption(name, known);
    return suggestion ? `--${name} (did you mean --${suggestion}?)` : `--${name}`;
  });
  return `Unknown option${names.length > 1 ? 's' : ''}: ${hints.join(', ')}`;
}
