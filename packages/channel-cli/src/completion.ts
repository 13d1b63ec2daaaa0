import type { Backend } from './backend.js';

/** The flag yargs' completion script calls the program with. */
export const COMPLETION_FLAG = '--get-yargs-completions';

const COMMANDS = ['list', 'describe', 'run', 'operations', 'health', 'completion'];
const OPERATIONS_ACTIONS = ['get', 'cancel', 'list'];

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
  if (before.length === 1 && before[0] === 'operations') return OPERATIONS_ACTIONS.filter((action) => action.startsWith(current));
  if (before.length === 1 && (before[0] === 'run' || before[0] === 'describe')) {
    const listed = await backend()?.list();
    return listed?.ok ? listed.value.map((operation) => operation.name).filter((name) => name.startsWith(current)) : [];
  }
  return [];
}

const BASH = `###-begin-{{name}}-completions-###
# {{name}} command completion for bash. Install: {{name}} completion bash >> ~/.bashrc
_{{name}}_yargs_completions()
{
    local cur_word args type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]}")
    mapfile -t type_list < <({{name}} --get-yargs-completions "\${args[@]}")
    mapfile -t COMPREPLY < <(compgen -W "$( printf '%q ' "\${type_list[@]}" )" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F _{{name}}_yargs_completions {{name}}
###-end-{{name}}-completions-###
`;

const ZSH = `#compdef {{name}}
###-begin-{{name}}-completions-###
# {{name}} command completion for zsh. Install: {{name}} completion zsh >> ~/.zshrc
_{{name}}_yargs_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" {{name}} --get-yargs-completions "\${words[@]}"))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _{{name}}_yargs_completions "$@"
else
  compdef _{{name}}_yargs_completions {{name}}
fi
###-end-{{name}}-completions-###
`;

/** Shells `completion <shell>` has a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The completion script for a shell; it calls the program back with `--get-yargs-completions`. */
export function completionScript(shell: CompletionShell, scriptName: string): string {
  return (shell === 'zsh' ? ZSH : BASH).replaceAll('{{name}}', scriptName);
}
