/** Where a command writes; tests pass their own to capture what it prints. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Writes each line of `message` to stderr, prefixed with the command's name. */
export function reportError(io: CliIo, command: string, message: string): void {
  io.stderr(
    message
      .split("\n")
      .map((line) => `${command}: ${line}\n`)
      .join(""),
  );
}

/**
 * Runs `main` as this process's command: its result becomes the exit code. An error `main` did not
 * expect is a bug, not bad input, so it prints with its stack and exits 2.
 */
export function runAsCommand(
  command: string,
  main: (argv: string[], io: CliIo) => Promise<number>,
): void {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      reportError(io, command, err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 2;
    },
  );
}
