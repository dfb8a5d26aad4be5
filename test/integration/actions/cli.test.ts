/**
 * The CLI for minutes and actions against the local stack: `minutes submit` (refused with every
 * problem, accepted once, the workflow resumed once), `actions list` (open, overdue, by owner) and
 * `action update` (recorded with its source; a corrective action's check asked by email).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { FixedClock } from '#shared/clock.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';
import { freshTable, localStack } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { CYCLE_ID, NOW, theCycle, VALID_MINUTES } from '#test/unit/minutes/support.ts';
import { cli, dataDirFor, sfnStub } from '../cli/support.ts';

let env: Record<string, string>;
let repo: DynamoDbRepository;
let data: Awaited<ReturnType<typeof dataDirFor>>;
let sfn: Awaited<ReturnType<typeof sfnStub>>;
const clock = new FixedClock(NOW);

beforeEach(async () => {
  sfn = await sfnStub();
  data = await dataDirFor({ endpoints: { sfn: sfn.endpoint } });
  await writeFile(join(data.dir, 'reply-key.hex'), 'ab'.repeat(32));
  const table = await freshTable('cli-actions');
  repo = new DynamoDbRepository(table);
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName };
  expect(
    (await cli(['programme', 'apply', 'test/fixtures/programmes/valid-minimal.yaml'], { env })).code,
  ).toBe(0);
  const cycle = theCycle({ programme: snapshotRefOf((await repo.getCurrentProgramme('acme'))!) });
  await repo.createCycle(cycle, []);
  await repo.parkTaskToken({
    cycleId: cycle.id,
    purpose: 'minutes',
    taskToken: 'tt-1',
    parkedAt: NOW.toISOString(),
  });
});

afterEach(async () => {
  await data.remove();
  await sfn.close();
});

const taskSuccesses = () => sfn.requests.filter((r) => r.target === 'AWSStepFunctions.SendTaskSuccess');

async function minutesFile(text: string): Promise<string> {
  const file = join(data.dir, 'minutes.yaml');
  await writeFile(file, text);
  return file;
}

describe('minutes submit', () => {
  it('refuses minutes with every problem listed and records nothing', async () => {
    const file = await minutesFile(
      VALID_MINUTES.replace(
        '  - person: ceo\n    status: present',
        '  - person: ceo\n    status: absent',
      ).replace('    rationale: Supports the 2027 growth strategy.\n', ''),
    );
    const run = await cli(['minutes', 'submit', CYCLE_ID, '--file', file], { env, clock });
    expect(run.code).toBe(1);
    const errors = run.out.errors.join('\n');
    expect(errors).toContain('The minutes were not recorded: 2 problem(s)');
    expect(errors).toContain('top management');
    expect(errors).toContain('rationale');
    expect(await repo.getMinutes(CYCLE_ID)).toBeUndefined();
    expect(taskSuccesses()).toHaveLength(0);
  });

  it('records the minutes and their actions, and resumes the workflow once', async () => {
    const file = await minutesFile(VALID_MINUTES);
    const first = await cli(['minutes', 'submit', CYCLE_ID, '--file', file, '--json'], { env, clock });
    expect(first.code).toBe(0);
    expect(first.out.result1()).toMatchObject({ ok: true, version: 1, repeated: false, resumed: true });
    const again = await cli(['minutes', 'submit', CYCLE_ID, '--file', file], { env, clock });
    expect(again.code).toBe(0);
    expect(again.out.text()).toContain('already recorded as version 1');
    expect(taskSuccesses()).toHaveLength(1);
    expect(taskSuccesses()[0]!.body).toMatchObject({ taskToken: 'tt-1' });
    expect(await repo.listActionsOfCycle(CYCLE_ID)).toHaveLength(2);
  });
});

describe('actions list and action update', () => {
  beforeEach(async () => {
    const file = await minutesFile(VALID_MINUTES);
    expect((await cli(['minutes', 'submit', CYCLE_ID, '--file', file], { env, clock })).code).toBe(0);
  });

  it('lists open actions, the overdue ones, and one owner’s', async () => {
    const later = new FixedClock(new Date('2026-12-20T10:00:00Z'));
    const all = await cli(['actions', 'list', '--json'], { env, clock: later });
    const rows = all.out.result1<{ actions: { id: string; owner: string; daysOverdue: number }[] }>().actions;
    expect(rows.map((r) => [r.owner, r.daysOverdue])).toEqual([
      ['auditor', 5],
      ['ciso', 0],
    ]);
    const overdue = await cli(['actions', 'list', '--overdue', '--json'], { env, clock: later });
    expect(overdue.out.result1<{ actions: { owner: string }[] }>().actions.map((r) => r.owner)).toEqual([
      'auditor',
    ]);
    const mine = await cli(['actions', 'list', '--owner', 'CISO@example.com'], { env, clock: later });
    expect(mine.out.text()).toContain('Enforce MFA for administrator accounts');
    expect(mine.out.text()).not.toContain('Close the two HR audit findings');
    const nobody = await cli(['actions', 'list', '--owner', 'eve@example.com'], { env, clock: later });
    expect(nobody.code).toBe(2);
    expect(nobody.out.errors.join('\n')).toContain('eve@example.com is nobody in programme acme');
  });

  it('updates an action from the command line, and asks for the effectiveness check of a corrective one', async () => {
    const since = new Date(Date.now() - 2000);
    const [corrective] = (await repo.listActionsOfCycle(CYCLE_ID)).filter((a) => a.corrective);
    const missing = await cli(['action', 'update', corrective!.id, '--status', 'done'], { env, clock });
    expect(missing.code).toBe(2);
    expect(missing.out.errors.join('\n')).toContain('--status done needs --evidence');
    const bad = await cli(['action', 'update', corrective!.id, '--status', 'finished', '--note', 'x'], {
      env,
      clock,
    });
    expect(bad.code).toBe(2);
    expect(bad.out.errors.join('\n')).toContain(
      '--status must be one of open, in_progress, done, verified, cancelled',
    );

    const done = await cli(
      [
        'action',
        'update',
        corrective!.id,
        '--status',
        'done',
        '--evidence',
        'HR-101 closed',
        '--evidence-url',
        'https://tickets.example.com/HR-101',
        '--by',
        'auditor',
      ],
      { env, clock },
    );
    expect(done.code).toBe(0);
    expect(done.out.text()).toContain('closure: awaiting confirmation by alice');
    const confirmed = await cli(['action', 'confirm', corrective!.id], { env, clock });
    expect(confirmed.code).toBe(0);
    expect(confirmed.out.text()).toContain('effectiveness check: alice');
    const stored = (await repo.getAction(corrective!.id))!;
    expect(stored.history.at(-2)).toMatchObject({ by: 'auditor', source: { channel: 'cli' } });
    expect(stored.history.at(-1)).toMatchObject({ by: 'alice', source: { channel: 'cli' } });
    const asked = await listSentMail(localStack().endpoints.ses, {
      to: 'alice@example.com',
      subjectIncludes: `action ${corrective!.id}`,
      since,
    });
    expect(asked.map((m) => m.subject.split(':')[0]).sort()).toEqual([
      'Effectiveness check needed by Sunday 29 November 2026',
      `Please confirm the closure of corrective action ${corrective!.id}, Close the two HR audit findings`.split(
        ':',
      )[0]!,
    ]);

    const ownPass = await cli(
      ['action', 'update', corrective!.id, '--status', 'verified', '--note', 'fine', '--by', 'auditor'],
      { env, clock },
    );
    expect(ownPass.code).toBe(1);
    expect(ownPass.out.errors.join('\n')).toContain('someone other than its owner');
    const verified = await cli(
      ['action', 'update', corrective!.id, '--status', 'verified', '--note', 'sampled 5'],
      {
        env,
        clock,
      },
    );
    expect(verified.code).toBe(0);
    expect((await repo.getAction(corrective!.id))!.effectivenessCheck).toMatchObject({
      result: 'passed',
      assigneeId: 'alice',
    });

    const shown = await cli(['action', 'show', corrective!.id], { env, clock });
    expect(shown.code).toBe(0);
    const history = shown.out.lines.filter((line) => line.includes(' cli '));
    expect(history).toHaveLength(3);
    expect(history[0]).toContain('auditor');
    expect(history[1]).toContain('alice');
    expect(history[2]).toContain('alice');
    expect(shown.out.text()).toMatch(/link +https:\/\/tickets\.example\.com\/HR-101/);
    expect(shown.out.text()).toMatch(/closure confirmed +by alice/);
    expect(shown.out.text()).toContain('effectiveness check  alice, due 2026-11-29: passed');
  });

  it("records top management's decisions and the chair's answer to an extension request", async () => {
    const since = new Date(Date.now() - 2000);
    const [mfa] = (await repo.listActionsOfCycle(CYCLE_ID)).filter((a) => !a.corrective);
    const later = new FixedClock(new Date('2027-02-11T10:00:00Z')); // the MFA action is 11 days late
    const refused: [string[], number, string][] = [
      [['--reason', 'x'], 2, 'Give exactly one decision'],
      [['--reschedule', '2027-03-31', '--accept-risk', '--reason', 'x'], 2, 'Give exactly one decision'],
      [['--reschedule', '31/03/2027', '--reason', 'x'], 2, '--reschedule takes a date as yyyy-mm-dd'],
      [['--reschedule', '2027-03-31'], 2, 'Give the reason for the decision'],
      [
        ['--reschedule', '2027-03-31', '--reason', 'x', '--by', 'alice'],
        1,
        'alice (Alice Example) is not a member of it',
      ],
      [
        ['--reassign', 'alce', '--due', '2027-03-31', '--reason', 'x'],
        1,
        'did you mean alice (Alice Example)',
      ],
      [['--reassign', 'alice', '--reason', 'x'], 1, 'was due on 2027-01-31'],
    ];
    for (const [options, code, message] of refused) {
      const result = await cli(['action', 'decide', mfa!.id, ...options], { env, clock: later });
      expect(result.code, options.join(' ')).toBe(code);
      expect(result.out.errors.join('\n'), options.join(' ')).toContain(message);
    }
    expect((await repo.getAction(mfa!.id))!.history).toHaveLength(mfa!.history.length);

    const reassigned = await cli(
      [
        'action',
        'decide',
        mfa!.id,
        '--reassign',
        'alice',
        '--due',
        '2027-03-31',
        '--reason',
        'Sam is on leave',
        '--by',
        'cto',
      ],
      { env, clock: later },
    );
    expect(reassigned.code).toBe(0);
    expect(reassigned.out.text()).toContain('owner alice');
    expect((await repo.getAction(mfa!.id))!).toMatchObject({ ownerId: 'alice', dueDate: '2027-03-31' });
    const [told] = await listSentMail(localStack().endpoints.ses, {
      to: 'alice@example.com',
      subjectIncludes: `Action ${mfa!.id} is now yours`,
      since,
    });
    expect(told?.cc).toEqual(['ciso@example.com']);

    // The new owner asks for more time by reply; the chair answers on the command line.
    const extended = await cli(
      ['action', 'update', mfa!.id, '--status', 'in_progress', '--note', 'started', '--by', 'alice'],
      { env, clock: later },
    );
    expect(extended.code).toBe(0);
    const none = await cli(['action', 'extension', mfa!.id, '--approve'], { env, clock: later });
    expect(none.code).toBe(1);
    expect(none.out.errors.join('\n')).toContain('has no extension request waiting for an answer');
    const { changeAction } = await import('#shared/actions/register.ts');
    await changeAction(
      { repo, clock: later },
      {
        actionId: mfa!.id,
        by: 'alice',
        source: { channel: 'cli' },
        command: { kind: 'extend', until: '2027-04-30', reason: 'the keys arrive in April' },
      },
    );
    const both = await cli(['action', 'extension', mfa!.id, '--approve', '--refuse'], { env, clock: later });
    expect(both.code).toBe(2);
    const noReason = await cli(['action', 'extension', mfa!.id, '--refuse'], { env, clock: later });
    expect(noReason.out.errors.join('\n')).toContain('--refuse needs --reason');
    const approved = await cli(['action', 'extension', mfa!.id, '--approve', '--note', 'last time'], {
      env,
      clock: later,
    });
    expect(approved.code).toBe(0);
    const stored = (await repo.getAction(mfa!.id))!;
    expect(stored).toMatchObject({ dueDate: '2027-04-30', extensionsGranted: 1 });
    expect(stored.history.at(-1)).toMatchObject({ by: 'ceo', source: { channel: 'cli' } });
    const [answer] = await listSentMail(localStack().endpoints.ses, {
      to: 'alice@example.com',
      subjectIncludes: `Extension approved for action ${mfa!.id}`,
      since,
    });
    expect(answer?.text).toContain('last time');

    const accepted = await cli(
      ['action', 'decide', mfa!.id, '--accept-risk', '--reason', 'retired with the old platform'],
      { env, clock: later },
    );
    expect(accepted.code).toBe(0);
    expect((await repo.getAction(mfa!.id))!).toMatchObject({
      status: 'cancelled',
      cancelReason: 'risk accepted by top management (Carol Chief): retired with the old platform',
    });
  });
});
