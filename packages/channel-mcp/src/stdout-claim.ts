type Write = typeof process.stdout.write;

let protocolWrite: Write | undefined;

/**
 * Takes stdout for protocol messages: afterwards anything else writing to process.stdout
 * (console.log, a logging library's console transport) lands on stderr. Returns the writer
 * that still reaches stdout. Idempotent.
 */
export function claimStdout(): Write {
  if (protocolWrite === undefined) {
    protocolWrite = process.stdout.write.bind(process.stdout) as Write;
    process.stdout.write = process.stderr.write.bind(process.stderr) as Write;
  }
  return protocolWrite;
}
