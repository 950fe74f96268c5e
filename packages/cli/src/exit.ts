/**
 * Exit codes of the `virnyflow` command: 0 ok, 2 a user error (bad config, bad data, bad flag — the message
 * says what to fix), 1 an internal error (a bug; the stack trace is printed only with VIRNYFLOW_DEBUG=1).
 */
import { isUserError, VirnyFlowError } from '@virnyflow/core';

export const ExitCode = { Ok: 0, Internal: 1, User: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A user error raised by the CLI itself (bad flag combination, unreadable file). */
export class CliError extends VirnyFlowError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'CliError';
  }
}

export type ErrorFormatter = (err: unknown) => string | undefined;

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError(err: unknown, formatters: readonly ErrorFormatter[] = []): ExitCode {
  for (const f of formatters) {
    const text = f(err);
    if (text !== undefined) {
      process.stderr.write(text.endsWith('\n') ? text : text + '\n');
      return isUserError(err) ? ExitCode.User : ExitCode.Internal;
    }
  }
  if (isUserError(err)) {
    const e = err as VirnyFlowError;
    process.stderr.write(`error [${e.code}]: ${e.message}\n`);
    return ExitCode.User;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`internal error: ${e.message}\n`);
  if (process.env.VIRNYFLOW_DEBUG === '1' && e.stack) process.stderr.write(e.stack + '\n');
  else process.stderr.write('(set VIRNYFLOW_DEBUG=1 for the stack trace; please report this as a bug)\n');
  return ExitCode.Internal;
}
