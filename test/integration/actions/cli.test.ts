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
        '--by',
        'auditor',
      ],
      { env, clock },
    );
    expect(done.code).toBe(0);
    expect(done.out.text()).toContain('effectiveness check: alice');
    const stored = (await repo.getAction(corrective!.id))!;
    expect(stored.history.at(-1)).toMatchObject({ by: 'auditor', source: { channel: 'cli' } });
    const [ask] = await listSentMail(localStack().endpoints.ses, {
      to: 'alice@example.com',
      subjectIncludes: `action ${corrective!.id}`,
      since,
    });
    expect(ask?.subject).toContain('Effectiveness check needed');

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
    expect(history).toHaveLength(2);
    expect(history[0]).toContain('auditor');
    expect(history[1]).toContain('alice');
    expect(shown.out.text()).toContain('effectiveness check  alice, due 2026-11-29: passed');
  });
});
