/**
 * `input submit`: an input answered from a file, against the local stack (DynamoDB Local, the
 * local S3 and SES), with the same parser, rules and event as a reply by email, and the workflow
 * resumed (SendTaskSuccess to the Step Functions stand-in) when the last awaited input arrives.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import { renderInputAnswer } from '#shared/mail/reply-format.ts';
import { KEY, NOW, world, type World } from '../ingest/support.ts';
import { cli, dataDirFor, sfnStub, STATE_MACHINE_ARN } from './support.ts';

let sfn: Awaited<ReturnType<typeof sfnStub>>;
let data: Awaited<ReturnType<typeof dataDirFor>>;
let env: Record<string, string>;
let w: World;

beforeAll(async () => {
  sfn = await sfnStub();
});
afterAll(async () => {
  await sfn.close();
});
beforeEach(async () => {
  sfn.requests.length = 0;
  // d1, d3 (auditor), b, f (ciso), g (alice); the CISO may answer for the auditor.
  w = await world({ delegates: [{ for: 'auditor', delegate: 'ciso' }] });
  data = await dataDirFor({ endpoints: { sfn: sfn.endpoint }, env: { STATE_MACHINE_ARN } });
  await writeFile(join(data.dir, 'reply-key.hex'), `${KEY.toString('hex')}\n`);
  env = {
    ISMS_DATA_DIR: data.dir,
    TABLE_NAME: (w.repo as unknown as { tableName: string }).tableName,
    EVIDENCE_BUCKET: (w.deps.evidence as unknown as { bucket: string }).bucket,
  };
});
afterEach(async () => {
  await data.remove();
});

const clock = { now: () => new Date(NOW) };
const resumes = () => sfn.requests.filter((r) => r.target === 'AWSStepFunctions.SendTaskSuccess');

/** The figures the catalogue requires for `key` (shared/catalogue/catalogue.ts), each given as 1. */
function requiredFigures(key: string): { name: string; value: number; unit: string }[] {
  return inputFields(key)
    .fields.filter((field) => field.required)
    .map((field) => ({ name: field.label, value: 1, unit: field.unit }));
}

/** An answer file for `key`, in the reply format, for the period the request asks about. */
async function answerFile(key: string, summary: string, name = `${key}.txt`): Promise<string> {
  const request = (await w.repo.getInputRequest(w.cycle.id, key))!;
  const text = renderInputAnswer(
    {
      key,
      kind: 'report',
      period: request.periodCovered,
      summary,
      metrics: [{ name: 'Open findings', value: 3, unit: 'findings' }, ...requiredFigures(key)],
    },
    request.title,
  );
  const path = join(data.dir, name);
  await writeFile(path, `${text}\n`);
  return path;
}

async function write(name: string, text: string): Promise<string> {
  const path = join(data.dir, name);
  await writeFile(path, text);
  return path;
}

describe('input submit: bad input first', () => {
  it('usage mistakes exit 2 and record nothing', async () => {
    const file = await answerFile('d1', 'Three findings open.');
    const runs = [
      ['input', 'submit', w.cycle.id, '--file', file],
      ['input', 'submit', 'C-2026', 'd1', '--file', file],
      ['input', 'submit', w.cycle.id, 'd1'],
      ['input', 'submit', w.cycle.id, 'd1!', '--file', file],
      ['input', 'submit', w.cycle.id, 'd1', '--file', file, '--as', 'nobody'],
    ];
    for (const argv of runs) expect((await cli(argv, { env, clock })).code, argv.join(' ')).toBe(2);
    expect(await w.repo.listSubmissions(w.cycle.id)).toEqual([]);
  });

  it('an unreadable file, an unknown cycle or input: exit 1 with what is wrong', async () => {
    const file = await answerFile('d1', 'Three findings open.');
    const missing = await cli(['input', 'submit', w.cycle.id, 'd1', '--file', join(data.dir, 'none.txt')], {
      env,
      clock,
    });
    expect(missing.code).toBe(1);
    expect(missing.out.errors[0]).toMatch(/^UnreadableAnswerFile: cannot read .*none\.txt/);
    const cycle = await cli(['input', 'submit', 'C-20200101T0000Z-Q', 'd1', '--file', file], { env, clock });
    expect(cycle.code).toBe(1);
    expect(cycle.out.errors[0]).toBe(
      'no cycle C-20200101T0000Z-Q; `isms-review cycle list` shows the cycles',
    );
    const input = await cli(['input', 'submit', w.cycle.id, 'd4', '--file', file], { env, clock });
    expect(input.code).toBe(1);
    expect(input.out.errors[0]).toBe(
      `input d4 is not asked in cycle ${w.cycle.id}; it asks: b, d1, d3, f, g`,
    );
    expect(await w.repo.listSubmissions(w.cycle.id)).toEqual([]);
  });

  it('--as a stranger, or a person who is neither owner nor delegate: refused, nothing recorded', async () => {
    const file = await answerFile('d1', 'Three findings open.');
    const stranger = await cli(
      ['input', 'submit', w.cycle.id, 'd1', '--file', file, '--as', 'mallory@example.net'],
      { env, clock },
    );
    expect(stranger.code).toBe(1);
    expect(stranger.out.errors[0]).toMatch(/^mallory@example\.net is not a person of the review programme/);
    // Alice is in the programme but neither the auditor nor their delegate.
    const alice = await cli(
      ['input', 'submit', w.cycle.id, 'd1', '--file', file, '--as', w.email('alice'), '--json'],
      {
        env,
        clock,
      },
    );
    expect(alice.code).toBe(1);
    expect(alice.out.result1()).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^input d1 is owned by .* <auditor\.[a-z0-9]+@example\.com>; .* is neither its owner nor a delegate/,
      ),
    });
    expect(await w.repo.listSubmissions(w.cycle.id)).toEqual([]);
    expect((await w.repo.listEvents(w.cycle.id)).map((e) => e.type)).toEqual(['cycle.opened']);
  });

  it('a bad answer: exit 1, every problem and the block to fill in, nothing recorded', async () => {
    const request = (await w.repo.getInputRequest(w.cycle.id, 'd1'))!;
    const file = await write(
      'bad.txt',
      '[input d1]\nsummary: Three findings open.\nmetric: Open findings = many\n[end]\n',
    );
    const run = await cli(['input', 'submit', w.cycle.id, 'd1', '--file', file], { env, clock });
    expect(run.code).toBe(1);
    expect(run.out.errors[0]).toMatch(
      /^The answer was not recorded: \d+ problem\(s\) to fix in .*bad\.txt:$/,
    );
    const problems = run.out.errors.filter((line) => line.startsWith('  - '));
    expect(problems.join('\n')).toContain("input d1: 'period' is missing");
    expect(problems.join('\n')).toMatch(/Open findings/);
    expect(run.out.errors).toContain(
      `  period: ${request.periodCovered.from} to ${request.periodCovered.to}`,
    );
    const empty = await write('empty.txt', 'I have nothing to add.\n');
    const none = await cli(['input', 'submit', w.cycle.id, 'd1', '--file', empty, '--json'], { env, clock });
    expect(none.code).toBe(1);
    expect(none.out.result1()).toMatchObject({
      ok: false,
      problems: [{ problem: expect.stringMatching(/block/) }],
    });
    // Well formed, but without the figures the catalogue requires for d1.
    const figureless = await write(
      'figureless.txt',
      `[input d1]\nperiod: ${request.periodCovered.from} to ${request.periodCovered.to}\nsummary: Three findings open, two from the July audit.\nmetric: Open findings = 3\n[end]\n`,
    );
    const noFigures = await cli(['input', 'submit', w.cycle.id, 'd1', '--file', figureless], { env, clock });
    expect(noFigures.code).toBe(1);
    expect(noFigures.out.errors.join('\n')).toContain("the figure 'Nonconformities opened' is missing");
    // A block for another input than the one named.
    const other = await answerFile('d3', 'Audit done.', 'other.txt');
    const wrong = await cli(['input', 'submit', w.cycle.id, 'd1', '--file', other], { env, clock });
    expect(wrong.code).toBe(1);
    expect(await w.repo.listSubmissions(w.cycle.id)).toEqual([]);
    expect(resumes()).toEqual([]);
  });
});

describe('input submit: recording', () => {
  it("records the owner's answer as a reply would, with the same event; the same answer again is a repeat", async () => {
    const file = await answerFile('d1', 'Three findings open, two from the July audit.');
    const run = await cli(['input', 'submit', w.cycle.id, 'D1', '--file', file, '--json'], { env, clock });
    expect(run.code).toBe(0);
    const result = run.out.result1() as Record<string, unknown>;
    expect(result).toMatchObject({
      ok: true,
      cycleId: w.cycle.id,
      inputKey: 'd1',
      submittedBy: 'auditor',
      onBehalfOf: null,
      supersedes: null,
      repeated: false,
      late: false,
      stillOpen: 4,
      resumed: false,
    });
    const [submission] = await w.repo.listSubmissions(w.cycle.id, 'd1');
    expect(submission).toMatchObject({
      id: result.submissionId,
      submitterId: 'auditor',
      kind: 'report',
      summary: 'Three findings open, two from the July audit.',
      metrics: [
        { name: 'Open findings', value: 3, unit: 'findings' },
        { name: 'Nonconformities opened', value: 1, unit: 'count' },
        { name: 'Nonconformities closed', value: 1, unit: 'count' },
        { name: 'Nonconformities overdue', value: 1, unit: 'count' },
      ],
      receivedAt: NOW.toISOString(),
      source: { channel: 'cli', fileName: 'd1.txt' },
    });
    expect((await w.repo.getInputRequest(w.cycle.id, 'd1'))?.status).toBe('SUBMITTED');
    const events = await w.repo.listEvents(w.cycle.id);
    expect(events.map((e) => e.type)).toEqual(['cycle.opened', 'input.submitted']);
    expect(events[1]).toMatchObject({
      actor: 'auditor',
      at: NOW.toISOString(),
      data: {
        inputKey: 'd1',
        submissionId: result.submissionId,
        source: 'cli',
        fileName: 'd1.txt',
        late: false,
      },
    });

    const text = await cli(['input', 'submit', w.cycle.id, 'd1', '--file', file], { env, clock });
    expect(text.code).toBe(0);
    expect(text.out.lines[0]).toBe(
      `This answer was already recorded as ${String(result.submissionId)}; nothing changed.`,
    );
    expect(await w.repo.listSubmissions(w.cycle.id, 'd1')).toHaveLength(1);
    expect((await w.repo.listEvents(w.cycle.id)).length).toBe(2);
  });

  it('a delegate answers for the owner; a changed answer supersedes the earlier, both kept', async () => {
    const first = await answerFile('d3', 'Internal audit done: two minor findings.');
    const byOwner = await cli(
      ['input', 'submit', w.cycle.id, 'd3', '--file', first, '--as', w.email('auditor').toUpperCase()],
      {
        env,
        clock,
      },
    );
    expect(byOwner.code).toBe(0);
    const second = await answerFile('d3', 'Internal audit done: three minor findings.', 'd3-v2.txt');
    const byDelegate = await cli(
      ['input', 'submit', w.cycle.id, 'd3', '--file', second, '--as', w.email('ciso'), '--json'],
      {
        env,
        clock,
      },
    );
    expect(byDelegate.code).toBe(0);
    // Both were received at the same (fixed) time: tell them apart by who sent them.
    const both = await w.repo.listSubmissions(w.cycle.id, 'd3');
    expect(both).toHaveLength(2);
    const earlier = both.find((x) => x.submitterId === 'auditor');
    const later = both.find((x) => x.submitterId === 'ciso');
    expect(earlier?.supersedes).toBeUndefined();
    expect(byDelegate.out.result1()).toMatchObject({
      submittedBy: 'ciso',
      onBehalfOf: 'auditor',
      submissionId: later!.id,
      supersedes: earlier!.id,
    });
    expect(later).toMatchObject({ onBehalfOf: 'auditor', supersedes: earlier!.id });
    expect((await w.repo.getInputRequest(w.cycle.id, 'd3'))?.submissionId).toBe(later!.id);
  });

  it('the last awaited input resumes the workflow, once', async () => {
    const owners: Record<string, string> = { d1: 'auditor', d3: 'auditor', b: 'ciso', f: 'ciso', g: 'alice' };
    const keys = Object.keys(owners);
    for (const [n, key] of keys.entries()) {
      const file = await answerFile(key, `Answer for ${key}.`);
      const run = await cli(
        ['input', 'submit', w.cycle.id, key, '--file', file, '--as', w.email(owners[key]!), '--json'],
        {
          env,
          clock,
        },
      );
      expect(run.code, key).toBe(0);
      const last = n === keys.length - 1;
      expect(run.out.result1()).toMatchObject({ stillOpen: keys.length - n - 1, resumed: last });
      expect(resumes(), key).toHaveLength(last ? 1 : 0);
    }
    expect(resumes()[0]?.body).toMatchObject({ taskToken: 'task-token-1' });
    // Answering again after the resume does not resume twice.
    const again = await answerFile('g', 'A better answer for g.', 'g2.txt');
    const run = await cli(['input', 'submit', w.cycle.id, 'g', '--file', again, '--as', w.email('alice')], {
      env,
      clock,
    });
    expect(run.code).toBe(0);
    expect(resumes()).toHaveLength(1);
  });
});
