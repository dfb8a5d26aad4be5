/**
 * Argument handling: every usage mistake exits 2 with a message naming what is wrong and the usage;
 * none of these reaches a backend (no stack runs in unit tests).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, main } from '../../../cli/main.ts';
import { capture } from './capture.ts';

let emptyDir: string;
beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), 'isms-cli-'));
});
afterAll(async () => {
  await rm(emptyDir, { recursive: true, force: true });
});

/** Runs the CLI with a data folder where no stack runs, and no AWS settings. */
async function run(argv: string[], json = false, env: Record<string, string> = {}) {
  const out = capture(json);
  const code = await main(argv, out, { env: { ISMS_DATA_DIR: emptyDir, ...env } });
  return { code, out };
}

describe('usage errors exit 2 with a message and the usage', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /Usage: isms-review <command>/],
    ['an unknown command', ['frobnicate'], /Unknown command: frobnicate/],
    ['an unknown sub-command', ['cycle', 'delete'], /Unknown command: cycle delete/],
    ['an unknown flag', ['status', '--verbose'], /Unknown option '--verbose'/],
    ['an argument to status', ['status', 'now'], /status takes no arguments/],
    ['apply without a file', ['programme', 'apply'], /Give exactly one programme file/],
    ['apply with two files', ['programme', 'apply', 'a.yaml', 'b.yaml'], /Give exactly one programme file/],
    [
      'apply of a missing file',
      ['programme', 'apply', 'no-such-file.yaml'],
      /Cannot read no-such-file.yaml: ENOENT/,
    ],
    ['show without an id', ['cycle', 'show'], /Give exactly one cycle id/],
    [
      'show with a malformed id',
      ['cycle', 'show', 'C-2026'],
      /"C-2026" is not a cycle id; expected one like C-20261001T0800Z-Q/,
    ],
    [
      'start with an unknown type',
      ['cycle', 'start', '--type', 'weekly'],
      /--type must be one of quarterly, semiannual, annual, not "weekly"/,
    ],
    ['start with a positional', ['cycle', 'start', 'now'], /cycle start takes options only/],
    ['list with a positional', ['cycle', 'list', 'acme'], /cycle list takes options only/],
    [
      'a bad --backend',
      ['cycle', 'list', '--backend', 'azure'],
      /--backend must be local or aws, not "azure"/,
    ],
    ['a flag without its value', ['cycle', 'start', '--type'], /Option '--type <value>' argument missing/],
  ];
  it.each(cases)('%s', async (_what, argv, message) => {
    const { code, out } = await run(argv);
    expect(code).toBe(2);
    expect(out.errors.join('\n')).toMatch(message);
    if (argv.length > 0 && !/Unknown command/.test(message.source)) {
      expect(out.errors.join('\n')).toMatch(/Usage: isms-review /);
    }
  });

  it('ISMS_BACKEND with an unknown value is a usage error naming the variable', async () => {
    const { code, out } = await run(['cycle', 'list'], false, { ISMS_BACKEND: 'gcp' });
    expect(code).toBe(2);
    expect(out.errors[0]).toBe('ISMS_BACKEND must be local or aws, not "gcp".');
  });

  it('on AWS, cycle list without a programme asks for --programme or ISMS_PROGRAMME_ID', async () => {
    const { code, out } = await run(['cycle', 'list', '--backend', 'aws'], false, { TABLE_NAME: 't' });
    expect(code).toBe(2);
    expect(out.errors[0]).toMatch(/Give the programme: --programme <id> or ISMS_PROGRAMME_ID/);
  });

  it('a malformed --programme is refused before anything is read', async () => {
    const { code, out } = await run(['cycle', 'list', '--backend', 'aws', '--programme', 'Acme Ltd']);
    expect(code).toBe(2);
    expect(out.errors[0]).toMatch(/--programme "Acme Ltd" is not a programme id/);
  });

  it('programme apply --by someone not in the programme is refused before the backend is asked', async () => {
    const { code, out } = await run(['programme', 'apply', 'programme.example.yaml', '--by', 'mallory']);
    expect(code).toBe(2);
    expect(out.errors[0]).toMatch(
      /--by "mallory" is not a person in the programme; expected one of: alice, ceo/,
    );
  });
});

describe('help', () => {
  it('--help lists every command and exits 0; --json gives them as data', async () => {
    const text = await run(['--help']);
    expect(text.code).toBe(0);
    for (const command of [
      'status',
      'programme apply <file>',
      'cycle start',
      'cycle list',
      'cycle show <cycleId>',
    ]) {
      expect(text.out.text()).toContain(command);
    }
    const json = await run(['--help', '--json'], true);
    const result = json.out.result1<{ commands: { usage: string; summary: string }[] }>();
    expect(result.commands.map((c) => c.usage)).toEqual([
      'status',
      'programme validate <file>',
      'programme apply <file>',
      'cycle start [options]',
      'cycle list [--programme <id>]',
      'cycle show <cycleId>',
      'cycle move <cycleId> --meeting <yyyy-mm-dd HH:MM> [--by <personId>]',
      'evidence export <cycleId> [--out <file.zip>]',
      'evidence verify <file.zip> [--key <file.pem|fingerprint>] [--offline|--online] [--require-anchors] [--allow-unanchored]',
      'evidence key',
      'input submit <cycleId> <inputKey> --file <answer.txt> [--as <email>]',
      'mail ingest <file.eml> [--verdicts <list>] [--envelope-from <addr>] [--rcpt-to <addr>]',
      'mail held [--days <n>] [--all]',
      'mail release <heldId> [--by <person id>]',
      'minutes submit <cycleId> --file <minutes.yaml> [--by <person id>]',
      'actions list [--overdue] [--owner <email>] [--all] [--programme <id>]',
      'action update <actionId> --status <status> [--note <text>] [--evidence <text>] [--evidence-url <https://...>] [--evidence-file <file>] [--checker <person id>] [--by <person id>]',
      'action confirm <actionId> [--note <text>] | --reopen <what is missing> [--by <person>]',
      'action decide <actionId> (--reschedule <yyyy-mm-dd> | --reassign <person> [--due <yyyy-mm-dd>] | --accept-risk) --reason <text> [--by <member of top management>]',
      'action extension <actionId> (--approve [--note <comment>] | --refuse --reason <text>) [--by <person>]',
      'action show <actionId>',
      'web sign-in <email> [--programme <id>]',
    ]);
  });

  it('<command> --help explains the options and the backend', async () => {
    const { code, out } = await run(['cycle', 'start', '--help']);
    expect(code).toBe(0);
    expect(out.text()).toMatch(/--meeting <yyyy-mm-dd\[Thh:mm\]>/);
    expect(out.text()).toMatch(/--backend aws or ISMS_BACKEND=aws/);
  });
});

describe('no local stack', () => {
  it('status says exactly that there is none, one FAIL line, exit 1', async () => {
    const { code, out } = await run(['status']);
    expect(code).toBe(1);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(
      /^FAIL {2}backend {2}NoLocalStack: no local stack is running: start it with `npm start`/,
    );
  });

  it('status --json gives the failed check', async () => {
    const { code, out } = await run(['status', '--json'], true);
    expect(code).toBe(1);
    expect(out.result1()).toEqual({
      ok: false,
      backend: null,
      checks: [
        {
          name: 'backend',
          ok: false,
          detail: expect.stringContaining('no local stack is running: start it with `npm start`'),
        },
      ],
    });
  });

  it('a command that needs the stack fails with exit 1 and the same advice', async () => {
    const { code, out } = await run(['cycle', 'show', 'C-20261001T0800Z-Q', '--json'], true);
    expect(code).toBe(1);
    expect(out.errors[0]).toMatch(/^NoLocalStack: no local stack is running: start it with `npm start`/);
    expect(out.result1()).toEqual({ ok: false, error: out.errors[0] });
  });
});

describe('describeFailure', () => {
  it('turns a refused connection into advice to run status', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    expect(describeFailure(refused)).toBe(
      'The backend does not answer (connect ECONNREFUSED 127.0.0.1:8000); `isms-review status` checks what is reachable.',
    );
    expect(describeFailure(new AggregateError([refused], ''))).toMatch(
      /^The backend does not answer \(connect ECONNREFUSED/,
    );
  });

  it('keeps a named error as name: message', () => {
    class CycleConflict extends Error {
      override name = 'CycleConflict' as const;
    }
    expect(describeFailure(new CycleConflict('cycle X is taken'))).toBe('CycleConflict: cycle X is taken');
    expect(describeFailure('plain')).toBe('plain');
  });
});
