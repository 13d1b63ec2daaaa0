import type { Output } from './render.js';

/** Reads one line from a terminal; resolves undefined when input ends first. */
function readLine(stdin: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (line: string | undefined) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      const eol = text.indexOf('\n');
      if (eol >= 0) finish(text.slice(0, eol).replace(/\r$/, ''));
    };
    const onEnd = () => finish(text === '' ? undefined : text);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

/** Asks a yes/no question on stderr; only "y" or "yes" is a yes. */
export async function confirm(stdin: NodeJS.ReadableStream, stderr: Output, question: string): Promise<boolean> {
  stderr.write(`${question} [y/N] `);
  const answer = await readLine(stdin);
  if (answer === undefined) stderr.write('\n');
  return answer !== undefined && /^\s*y(es)?\s*$/i.test(answer);
}
