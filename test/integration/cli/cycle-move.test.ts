/**
 * `cycle move` against DynamoDB Local: careless arguments get a usage error, an unknown cycle a clear
 * failure; a cycle still awaiting inputs gets its new meeting time (in the organisation's zone)
 * recorded, and a held meeting cannot move.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle } from '#test/unit/model/builders.ts';
import { cli, dataDirFor } from './support.ts';

let env: Record<string, string>;
let repository: DynamoDbRepository;
let cycle: Cycle;

beforeEach(async () => {
  const data = await dataDirFor();
  // As `npm start` keeps it: the reply-token key in the data folder (updated invitations carry none).
  await writeFile(join(data.dir, 'reply-key.hex'), 'ab'.repeat(32));
  const table = await freshTable('cli-move');
  repository = new DynamoDbRepository({ client: table.client, tableName: table.tableName });
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName };
  expect((await cli(['programme', 'apply', 'programme.example.yaml'], { env })).code).toBe(0);
  const programme = snapshotRefOf((await repository.getCurrentProgramme('example-ltd'))!);
  cycle = aCycle({ programmeId: 'example-ltd', programme, phase: 'AWAITING_INPUTS' });
  await repository.createCycle(cycle, []);
});

describe('cycle move', () => {
  it('answers careless arguments with a usage error and an unknown cycle with a failure', async () => {
    expect((await cli(['cycle', 'move'], { env })).code).toBe(2);
    expect((await cli(['cycle', 'move', 'not-a-cycle', '--meeting', '2027-02-03 14:00'], { env })).code).toBe(
      2,
    );
    const noTime = await cli(['cycle', 'move', cycle.id], { env });
    expect(noTime.code).toBe(2);
    expect(noTime.out.errors.join('\n')).toContain('--meeting');
    const badTime = await cli(['cycle', 'move', cycle.id, '--meeting', 'next Tuesday'], { env });
    expect(badTime.code).toBe(2);
    const unknown = await cli(['cycle', 'move', 'C-20990101T0900Z-Q', '--meeting', '2099-02-03 14:00'], {
      env,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.out.errors.join('\n')).toContain('no cycle C-20990101T0900Z-Q');
  });

  it("records the new time, read in the organisation's time zone", async () => {
    const moved = await cli(['cycle', 'move', cycle.id, '--meeting', '2027-07-20 14:30', '--by', 'alice'], {
      env,
    });
    expect(moved.out.errors).toEqual([]);
    expect(moved.code).toBe(0);
    // London is on summer time in July: 14:30 there is 13:30 UTC.
    expect((await repository.getCycle(cycle.id))?.plannedMeetingAt).toBe('2027-07-20T13:30:00.000Z');
    expect(moved.out.text()).toContain('2027-07-20 14:30');
  });

  it('refuses to move a meeting that has been held', async () => {
    await repository.updateCycle({ ...cycle, phase: 'AWAITING_MINUTES' });
    expect((await repository.getCycle(cycle.id))?.phase).toBe('AWAITING_MINUTES');
    const refused = await cli(['cycle', 'move', cycle.id, '--meeting', '2027-07-20 14:30'], { env });
    expect(refused.code).toBe(1);
    expect(refused.out.errors.join('\n')).toContain('cannot move');
  });
});
