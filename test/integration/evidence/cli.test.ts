/**
 * `evidence export` and `evidence verify` on the local stack: a cycle stored through the
 * repository with an anchor in a fresh evidence bucket, exported, verified, tampered with, and
 * verified again with the anchors reachable, unreachable and not asked for.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { anchorStoreFor } from '#shared/adapters/evidence-source.ts';
import { FileSigner, localSigningKey } from '#shared/adapters/file-signer.ts';
import { FixedClock } from '#shared/clock.ts';
import { anchorMilestone } from '#shared/evidence/anchor.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';
import { freshBucket, freshTable, localStack } from '#test/support/local-stack.ts';
import { aCycle, anAction, anInputRequest } from '#test/unit/model/builders.ts';
import { cli, dataDirFor } from '../cli/support.ts';

let env: Record<string, string>;
let data: Awaited<ReturnType<typeof dataDirFor>>;
let folder: string;
let cycleId: string;
const clock = new FixedClock(new Date('2026-10-24T08:00:00Z'));

beforeAll(async () => {
  data = await dataDirFor();
  folder = await mkdtemp(join(tmpdir(), 'isms-evidence-cli-'));
  const table = await freshTable('evidence-cli');
  const { bucket } = await freshBucket('evidence-cli');
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName, EVIDENCE_BUCKET: bucket };
  expect(
    (await cli(['programme', 'apply', 'test/fixtures/programmes/valid-minimal.yaml'], { env })).code,
  ).toBe(0);
  const repo = new DynamoDbRepository({ client: table.client, tableName: table.tableName });
  const programme = snapshotRefOf((await repo.getCurrentProgramme('acme'))!);
  const cycle = aCycle({ programmeId: 'acme', programme, phase: 'OPEN' });
  cycleId = cycle.id;
  await repo.createCycle(cycle, [anInputRequest(cycle, 'd1')], {
    event: { type: 'cycle.opened', at: cycle.openedAt, actor: 'system', data: { requestedBy: 'schedule' } },
  });
  await repo.createActions([anAction(cycle, 1)], {
    event: { type: 'action.created', at: cycle.plannedMeetingAt, actor: 'alice', data: { ids: ['1'] } },
  });
  const info = localStack();
  await anchorMilestone(
    {
      repo,
      clock,
      anchors: anchorStoreFor({ ...info.env, EVIDENCE_BUCKET: bucket }),
      // The data folder's anchoring key, as `npm start` keeps it: the CLI reads it from there.
      signer: new FileSigner(await localSigningKey(data.dir)),
    },
    cycleId,
    'package-distributed',
  );
}, 60_000);

afterAll(async () => {
  await data?.remove();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('isms-review evidence', () => {
  it('exports a bundle with progress on stderr, and verifies it against the anchors', async () => {
    const out = join(folder, 'bundle.zip');
    const exported = await cli(['evidence', 'export', cycleId, '--out', out], { env, clock });
    expect(exported.code).toBe(0);
    expect(exported.out.errors.join('\n')).toContain('evidence export: reading the records of cycle');
    expect(exported.out.text()).toContain(`Evidence bundle of ${cycleId} written to ${out}`);
    expect(exported.out.text()).toContain('The cycle is still running (phase OPEN).');

    const verified = await cli(['evidence', 'verify', out], { env });
    expect(verified.code).toBe(0);
    expect(verified.out.lines[0]).toBe(
      // With the trace, the clause index (CSV and Markdown) and the list of submissions.
      `VERIFIED: the evidence bundle of cycle ${cycleId} is intact (16 files, 2 events).`,
    );
    expect(verified.out.text()).toContain('event seq 2 matches the anchor of package-distributed');

    const json = await cli(['evidence', 'verify', out, '--json'], { env });
    expect(json.out.result1()).toMatchObject({ ok: true, anchorsCompared: true, events: 2 });
  });

  it('fails on a tampered bundle with exit code 1, naming the place', async () => {
    const out = join(folder, 'tampered.zip');
    expect((await cli(['evidence', 'export', cycleId, '--out', out], { env, clock })).code).toBe(0);
    const files = unzipSync(await readFile(out));
    files['actions.csv'] = strToU8('id,title\r\nA-1,nothing to see\r\n');
    await writeFile(out, zipSync(files));
    const verified = await cli(['evidence', 'verify', out], { env });
    expect(verified.code).toBe(1);
    expect(verified.out.lines[0]).toMatch(/^NOT VERIFIED: 1 problem\(s\)/);
    expect(verified.out.text()).toContain('✗ actions.csv: was altered');
    expect(verified.out.errors).toContain(`evidence verify: ${out} did NOT verify`);
  });

  it('says when the anchors cannot be reached, and fails on it only when asked to', async () => {
    const out = join(folder, 'offline.zip');
    expect((await cli(['evidence', 'export', cycleId, '--out', out], { env, clock })).code).toBe(0);
    const elsewhere = await mkdtemp(join(tmpdir(), 'isms-no-stack-'));
    try {
      const noStack = { ISMS_DATA_DIR: elsewhere };
      const verified = await cli(['evidence', 'verify', out], { env: noStack });
      expect(verified.code).toBe(0);
      expect(verified.out.text()).toMatch(
        /the anchors in the evidence bucket could not be reached \(NoLocalStack: /,
      );
      const strict = await cli(['evidence', 'verify', out, '--require-anchors'], { env: noStack });
      expect(strict.code).toBe(1);
      expect(strict.out.text()).toContain('--require-anchors: the evidence bucket could not be reached');
      const offline = await cli(['evidence', 'verify', out, '--offline'], { env: noStack });
      expect(offline.code).toBe(0);
      expect(offline.out.text()).toContain('the anchors in the evidence bucket were not consulted');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('answers careless use clearly', async () => {
    const missing = await cli(['evidence', 'verify', join(folder, 'nope.zip')], { env });
    expect(missing.code).toBe(1);
    expect(missing.out.errors.join('\n')).toContain('no such file');
    expect((await cli(['evidence', 'export', 'last-quarter'], { env })).code).toBe(2);
    expect((await cli(['evidence', 'export', cycleId, '--out', join(folder, 'x.tar')], { env })).code).toBe(
      2,
    );
    expect((await cli(['evidence', 'verify', 'a.zip', '--offline', '--require-anchors'], { env })).code).toBe(
      2,
    );
    const unknown = await cli(['evidence', 'export', 'C-20300101T0000Z-Q', '--out', join(folder, 'u.zip')], {
      env,
      clock,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.out.errors.join('\n')).toContain('cycle C-20300101T0000Z-Q does not exist');
    const garbage = join(folder, 'garbage.zip');
    await writeFile(garbage, 'this is not a zip');
    const notZip = await cli(['evidence', 'verify', garbage, '--offline'], { env });
    expect(notZip.code).toBe(1);
    expect(notZip.out.text()).toContain('✗ the ZIP file: cannot be opened as a ZIP archive');
  });
});
