/**
 * `programme apply` and `programme validate` against DynamoDB Local: an invalid file is reported
 * exactly as validate reports it and writes nothing; a valid one becomes version 1, the same content
 * again is "unchanged", a change becomes version 2 with who and why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { parseProgramme } from '#shared/programme/load.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { cli, dataDirFor } from './support.ts';

const FIXTURES = 'test/fixtures/programmes';
const VALID = join(FIXTURES, 'valid-minimal.yaml');
const BROKEN = readdirSync(FIXTURES)
  .filter((name) => !name.startsWith('valid-'))
  .map((name) => join(FIXTURES, name));

let env: Record<string, string>;
let table: Awaited<ReturnType<typeof freshTable>>;
let repository: DynamoDbRepository;
let data: Awaited<ReturnType<typeof dataDirFor>>;

beforeEach(async () => {
  data = await dataDirFor();
  table = await freshTable('cli-programme');
  repository = new DynamoDbRepository({ client: table.client, tableName: table.tableName });
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName };
});
afterEach(async () => {
  table.client.destroy();
  await data.remove();
});

async function itemCount(): Promise<number> {
  const { Count } = await table.client.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
  return Count ?? -1;
}

describe('programme apply', () => {
  it(`refuses every broken fixture (${BROKEN.length}) with validate's report, exit 1, and writes nothing`, async () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(15);
    for (const file of BROKEN) {
      const validate = await cli(['programme', 'validate', file], { env });
      const apply = await cli(['programme', 'apply', file], { env });
      expect(validate.code, file).toBe(1);
      expect(apply.code, file).toBe(1);
      expect(apply.out.lines, file).toEqual(validate.out.lines);
      expect(apply.out.lines.at(-1), file).toMatch(/^\d+ problem\(s\) in /);
      const json = await cli(['programme', 'apply', file, '--json'], { env });
      expect(json.out.result1(), file).toMatchObject({ ok: false, file, errors: expect.any(Array) });
    }
    expect(await itemCount()).toBe(0);
    await expect(access(join(data.dir, 'cli.json'))).rejects.toThrow(/ENOENT/);
  });

  it('stores version 1, then reports the same content as unchanged', async () => {
    const text = readFileSync(VALID, 'utf8');
    const parsed = parseProgramme(text);
    if (!parsed.ok) throw new Error('fixture invalid');

    const first = await cli(['programme', 'apply', VALID, '--json'], { env });
    expect(first.code).toBe(0);
    const hash = canonicalHash(parsed.programme);
    expect(first.out.result1()).toEqual({
      ok: true,
      file: VALID,
      programmeId: 'acme',
      version: 1,
      hash,
      unchanged: false,
    });

    const stored = await repository.getCurrentProgramme('acme');
    expect(stored).toMatchObject({ programmeId: 'acme', version: 1, hash, savedBy: 'system', source: text });
    expect(stored?.document).toEqual(JSON.parse(JSON.stringify(parsed.programme)));
    expect(stored?.note).toBeUndefined();

    const again = await cli(['programme', 'apply', VALID], { env });
    expect(again.code).toBe(0);
    expect(again.out.lines).toEqual([`${VALID}: programme acme unchanged, version 1.`]);
    expect(await repository.listProgrammeVersions('acme')).toHaveLength(1);

    // A comment changes the text, not the programme.
    const commented = join(data.dir, 'commented.yaml');
    await writeFile(commented, `# reviewed in May\n${text}`);
    const json = await cli(['programme', 'apply', commented, '--json'], { env });
    expect(json.out.result1()).toMatchObject({ version: 1, unchanged: true });

    // The programme is remembered for the cycle commands.
    const list = await cli(['cycle', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.out.lines).toEqual(['No cycles of acme yet; `isms-review cycle start` starts one.']);
  });

  it('a change becomes the next version, with who saved it and why', async () => {
    await cli(['programme', 'apply', VALID], { env });
    const changed = join(data.dir, 'changed.yaml');
    await writeFile(
      changed,
      readFileSync(VALID, 'utf8').replace('inputReminderEveryDays: 3', 'inputReminderEveryDays: 2'),
    );

    const run = await cli(
      ['programme', 'apply', changed, '--by', 'alice', '--note', 'Remind every two days'],
      { env },
    );
    expect(run.code).toBe(0);
    expect(run.out.lines[0]).toMatch(
      new RegExp(`^${changed}: stored programme acme version 2 \\(was version 1\\), hash [0-9a-f]{12}\\.$`),
    );
    const current = await repository.getCurrentProgramme('acme');
    expect(current).toMatchObject({ version: 2, savedBy: 'alice', note: 'Remind every two days' });
    expect((current?.document.leadTimes as { inputReminderEveryDays: number }).inputReminderEveryDays).toBe(
      2,
    );
    expect((await repository.getProgrammeVersion('acme', 1))?.savedBy).toBe('system');
  });
});
