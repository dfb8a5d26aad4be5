import { parseArgs, type ParseArgsConfig } from 'node:util';
import { systemClock, type Clock } from '#shared/clock.ts';
import type { Env } from './backend.ts';
import { ExitCode, UsageError, createOutput, rootCause, type Output } from './output.ts';
import { commands, type Command } from './commands/index.ts';

export interface CliContext {
  /** "Now"; the system clock by default. */
  readonly clock?: Clock;
  /** Where settings are read from; process.env by default. */
  readonly env?: Env;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'TimeoutError',
]);

/** The error as one line; a network failure says what to check. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = rootCause(error);
  const code = (inner as NodeJS.ErrnoException).code ?? inner.name;
  const message = inner.message || code;
  if (UNREACHABLE.has(code)) {
    return `The backend does not answer (${message}); \`isms-review status\` checks what is reachable.`;
  }
  return `${error.name}: ${error.message}`;
}

const usage = (): string =>
  [
    'Usage: isms-review <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.usage.padEnd(44)} ${command.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help.',
    'Exit codes: 0 ok, 1 a check or operation failed, 2 usage error.',
  ].join('\n');

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first: "programme validate" before "programme".
  const sorted = [...commands].sort((a, b) => b.words.length - a.words.length);
  for (const command of sorted) {
    if (command.words.every((word, i) => argv[i] === word)) {
      return { command, rest: argv.slice(command.words.length) };
    }
  }
  return undefined;
}

export async function main(argv: string[], out?: Output, context: CliContext = {}): Promise<number> {
  const wantsJson = argv.includes('--json');
  const output = out ?? createOutput(wantsJson);
  if (argv.length === 0) {
    output.error(usage());
    return ExitCode.usage;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    output.say(usage());
    if (output.json)
      output.result({ commands: commands.map((c) => ({ usage: c.usage, summary: c.summary })) });
    return ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    output.error(`Unknown command: ${argv.filter((a) => !a.startsWith('-')).join(' ')}\n\n${usage()}`);
    return ExitCode.usage;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    output.say(
      `Usage: isms-review ${command.usage}\n\n${command.summary}${command.help ? `\n\n${command.help}` : ''}`,
    );
    return ExitCode.ok;
  }
  try {
    const config: ParseArgsConfig = {
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, ...command.options },
    };
    const parsed = parseArgs(config);
    return await command.run({
      positionals: parsed.positionals,
      values: parsed.values as Record<string, string | boolean | undefined>,
      out: output,
      clock: context.clock ?? systemClock,
      env: context.env ?? process.env,
    });
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      output.error(`${error.message}\nUsage: isms-review ${command.usage}`);
      return ExitCode.usage;
    }
    const message = describeFailure(error);
    output.error(message);
    if (output.json) output.result({ ok: false, error: message });
    return ExitCode.failed;
  }
}
