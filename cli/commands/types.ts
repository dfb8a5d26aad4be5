import type { ParseArgsConfig } from 'node:util';
import type { Clock } from '#shared/clock.ts';
import type { Env } from '../backend.ts';
import type { Output } from '../output.ts';

export interface CommandInput {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
  readonly out: Output;
  /** "Now" for everything the command dates. */
  readonly clock: Clock;
  /** The environment the command reads its settings from (process.env when run as a program). */
  readonly env: Env;
}

export interface Command {
  /** The words that name the command, e.g. ['programme', 'validate']. */
  readonly words: string[];
  readonly usage: string;
  readonly summary: string;
  readonly help?: string;
  readonly options?: NonNullable<ParseArgsConfig['options']>;
  run(input: CommandInput): Promise<number>;
}
