/**
 * `cycle show` and `cycle list` on cycles created through the repository in DynamoDB Local.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle, anAction, anInputRequest } from '#test/unit/model/builders.ts';
import type { CycleView, CycleListView } from '../../../cli/cycle-view.ts';
import { cli, dataDirFor } from './support.ts';

let env: Record<string, string>;
let table: Awaited<ReturnType<typeof freshTable>>;
let repository: DynamoDbRepository;
let data: Awaited<ReturnType<typeof dataDirFor>>;
let quarterly: Cycle;
let annual: Cycle;
const clock = new FixedClock(new Date('2026-10-14T08:00:00Z'));

beforeEach(async () => {
  data = await dataDirFor();
  table = await freshTable('cli-cycle');
  repository = new DynamoDbRepository({ client: table.client, tableName: table.tableName });
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName };
  expect(
    (await cli(['programme', 'apply', 'test/fixtures/programmes/valid-minimal.yaml'], { env })).code,
  ).toBe(0);
  const programme = snapshotRefOf((await repository.getCurrentProgramme('acme'))!);
  const base = { programmeId: 'acme', programme };

  quarterly = aCycle({ ...base, phase: 'AWAITING_INPUTS' });
  await repository.createCycle(quarterly, [
    anInputRequest(quarterly, 'a', {
      automatic: true,
      ownerId: undefined,
      title: 'Status of actions from previous reviews',
    }),
    anInputRequest(quarterly, 'd1', {
      title: 'Nonconformities and corrective actions',
      remindersSent: 2,
      escalationLevel: 1,
    }),
    anInputRequest(quarterly, 'f', { title: 'Risk assessment and treatment', ownerId: 'ciso' }),
  ]);

  // An earlier annual cycle in follow-up, with an overdue action.
  annual = aCycle(
    { ...base, id: 'C-20260701T0800Z-A', type: 'annual', comprehensive: true, phase: 'FOLLOW_UP' },
    new Date('2026-07-01T08:00:00Z'),
  );
  await repository.createCycle(annual, []);
  await repository.createActions([
    anAction(annual, 1, {
      title: 'Renew the supplier register',
      ownerId: 'cto',
      dueDate: '2026-10-01',
      escalationLevel: 2,
    }),
    anAction(annual, 2, { title: 'Phishing drill', ownerId: 'ciso', dueDate: '2026-11-30' }),
  ]);
});
afterEach(async () => {
  table.client.destroy();
  await data.remove();
});

describe('cycle show', () => {
  it('an unknown cycle: exit 1 and where to look', async () => {
    const run = await cli(['cycle', 'show', 'C-20250101T0900Z-Q'], { env, clock });
    expect(run.code).toBe(1);
    expect(run.out.errors).toEqual([
      'no cycle C-20250101T0900Z-Q; `isms-review cycle list` shows the cycles',
    ]);
    const json = await cli(['cycle', 'show', 'C-20250101T0900Z-Q', '--json'], { env, clock });
    expect(json.out.result1()).toEqual({
      ok: false,
      error: 'no cycle C-20250101T0900Z-Q; `isms-review cycle list` shows the cycles',
    });
  });

  it('shows the phase, inputs with owners, dates in London and UTC, and the input deadline as next timer', async () => {
    const run = await cli(['cycle', 'show', quarterly.id], { env, clock });
    expect(run.code).toBe(0);
    const lines = run.out.lines;
    expect(lines[0]).toBe(`Cycle ${quarterly.id}: quarterly review of acme (programme version 1)`);
    expect(lines[1]).toBe(
      'Phase AWAITING_INPUTS (active): waiting for inputs from their owners (0 of 3 answered)',
    );
    expect(lines).toContain('  meeting (planned)  2026-10-29 08:00  2026-10-29T08:00:00Z');
    expect(
      lines.some((line) =>
        /^ {2}d1 +Nonconformities and corrective actions +auditor \(Ann Auditor\) +REQUESTED +2026-10-19 09:00 +2 +ISMS manager$/.test(
          line,
        ),
      ),
    ).toBe(true);
    expect(
      lines.some((line) =>
        /^ {2}a +Status of actions from previous reviews +automatic +REQUESTED/.test(line),
      ),
    ).toBe(true);
    expect(lines).toContain(
      'Next timer: input deadline: missing inputs become "not provided", 2026-10-19 09:00 Europe/London (2026-10-19T08:00:00Z, in 5 days)',
    );

    const json = (
      await cli(['cycle', 'show', quarterly.id, '--json'], { env, clock })
    ).out.result1<CycleView>();
    expect(json).toMatchObject({
      id: quarterly.id,
      programmeId: 'acme',
      phase: 'AWAITING_INPUTS',
      timeZone: 'Europe/London',
      nextTimer: {
        kind: 'input-deadline',
        utc: '2026-10-19T08:00:00Z',
        local: '2026-10-19 09:00',
        passed: false,
      },
      failure: null,
      actions: [],
    });
    expect(
      json.inputs.map((input) => [input.key, input.owner ?? null, input.status, input.escalation.to]),
    ).toEqual([
      ['a', null, 'REQUESTED', 'none'],
      ['d1', 'auditor', 'REQUESTED', 'ISMS manager'],
      ['f', 'ciso', 'REQUESTED', 'none'],
    ]);
  });

  it('in follow-up: actions with owners, overdue flags and escalation; the earliest due date is the next timer', async () => {
    const json = (await cli(['cycle', 'show', annual.id, '--json'], { env, clock })).out.result1<CycleView>();
    expect(json.actions).toEqual([
      {
        id: 'A-20260701T0800Z-A-001',
        title: 'Renew the supplier register',
        owner: 'cto',
        ownerName: 'Tom Tech',
        due: '2026-10-01',
        status: 'open',
        overdue: true,
        escalation: { level: 2, to: 'ISMS manager' },
      },
      {
        id: 'A-20260701T0800Z-A-002',
        title: 'Phishing drill',
        owner: 'ciso',
        ownerName: 'Sam Secure',
        due: '2026-11-30',
        status: 'open',
        overdue: false,
        escalation: { level: 0, to: 'none' },
      },
    ]);
    expect(json.nextTimer).toEqual({
      kind: 'action-follow-up',
      what: 'action A-20260701T0800Z-A-001 due',
      local: '2026-10-01',
      timeZone: 'Europe/London',
      passed: true,
    });
    const text = (await cli(['cycle', 'show', annual.id], { env, clock })).out.lines;
    expect(
      text.some((line) =>
        /A-20260701T0800Z-A-001 +Renew the supplier register +cto \(Tom Tech\) +2026-10-01 OVERDUE +open +ISMS manager/.test(
          line,
        ),
      ),
    ).toBe(true);
  });

  it('a failed cycle shows what went wrong', async () => {
    const current = (await repository.getCycle(quarterly.id))!;
    await repository.updateCycle({
      ...current,
      phase: 'FAILED',
      status: 'failed',
      failure: {
        at: '2026-10-03T09:15:00.000Z',
        phase: 'AWAITING_INPUTS',
        error: 'MessageRejected',
        cause: 'Email address is not verified.',
      },
    });
    const run = await cli(['cycle', 'show', quarterly.id], { env, clock });
    expect(run.code).toBe(0);
    expect(run.out.lines).toContain(
      'FAILED in AWAITING_INPUTS at 2026-10-03 10:15 Europe/London: MessageRejected: Email address is not verified.',
    );
    expect(run.out.lines).toContain('Next timer: none');
  });
});

describe('cycle list', () => {
  it("lists the programme's cycles by meeting date with phase, status and meeting in the zone", async () => {
    const run = await cli(['cycle', 'list'], { env, clock });
    expect(run.code).toBe(0);
    expect(run.out.lines).toEqual([
      'Cycles of acme by meeting date (times in Europe/London):',
      '  CYCLE               TYPE                    PHASE            STATUS  MEETING',
      '  C-20260701T0800Z-A  annual (comprehensive)  FOLLOW_UP        active  2026-07-29 09:00',
      '  C-20261001T0800Z-Q  quarterly               AWAITING_INPUTS  active  2026-10-29 08:00',
    ]);
    const json = (await cli(['cycle', 'list', '--json'], { env, clock })).out.result1<CycleListView>();
    expect(json.programmeId).toBe('acme');
    expect(json.cycles.map((cycle) => [cycle.id, cycle.meeting.utc])).toEqual([
      ['C-20260701T0800Z-A', '2026-07-29T08:00:00Z'],
      ['C-20261001T0800Z-Q', '2026-10-29T08:00:00Z'],
    ]);
  });

  it('another programme has none', async () => {
    const run = await cli(['cycle', 'list', '--programme', 'other-org'], { env, clock });
    expect(run.out.lines).toEqual(['No cycles of other-org yet; `isms-review cycle start` starts one.']);
  });
});
