/**
 * What building a package costs in DynamoDB requests, against DynamoDB Local: with 500 open
 * actions from earlier reviews and long input texts, the count is the same for 5 and for 40
 * earlier cycles, because earlier cycles are read from their summaries in one paged query.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import type { Action } from '#shared/model/action.ts';
import { actionIdFor, cycleIdFor } from '#shared/model/ids.ts';
import { packageModel } from '#shared/package/content.ts';
import { summaryOf } from '#shared/package/history.ts';
import { buildPackageModel } from '#shared/cycle/package-phase.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle, anAction } from '#test/unit/model/builders.ts';
import { packageSources, theProgramme, NOW } from '#test/unit/package/fixtures.ts';

describe('building a package at scale', () => {
  it('costs a fixed number of DynamoDB requests, however many earlier cycles there were', async () => {
    const { client, tableName } = await freshTable('package-scale');
    let requests = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        requests += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    const repo = new DynamoDbRepository({ client, tableName });
    const programme = theProgramme();
    const programmeId = programme.organisation.id;
    const document = JSON.parse(JSON.stringify(programme)) as Record<string, unknown>;
    await repo.saveProgrammeVersion({
      programmeId,
      version: 1,
      hash: canonicalHash(document),
      savedAt: '2026-01-01T00:00:00.000Z',
      savedBy: 'alice',
      document,
    });
    const current = await repo.getCurrentProgramme(programmeId);

    // This cycle, its inputs answered with long texts.
    const sources = packageSources({ earlierCycles: 40 });
    const cycle = { ...sources.cycle, programme: { programmeId, version: 1, hash: current!.hash } };
    await repo.createCycle(
      cycle,
      sources.requests.map((r) => ({
        ...r,
        ...(r.submissionId ? { status: 'REQUESTED' as const, submissionId: undefined } : {}),
      })),
    );
    const long = 'Long report paragraph with figures and findings. '.repeat(400);
    for (const submission of sources.submissions) {
      const request = (await repo.getInputRequest(cycle.id, submission.inputKey))!;
      await repo.recordSubmission(
        { ...submission, summary: long },
        {
          ...request,
          status: submission.kind === 'report' ? 'SUBMITTED' : 'NOTHING_TO_REPORT',
          submissionId: submission.id,
        },
      );
    }

    // 500 actions still open, from six earlier cycles.
    for (let c = 0; c < 6; c += 1) {
      const earlier = aCycle({ programmeId, programme: cycle.programme }, new Date(Date.UTC(2025, c, 2, 9)));
      await repo.createCycle(earlier, []);
      const actions: Action[] = [];
      for (let n = 1; n <= (c < 5 ? 84 : 80); n += 1) {
        actions.push(
          anAction(earlier, n, {
            id: actionIdFor(earlier.id, n),
            programmeId,
            title: `Action ${n} of ${earlier.id}: ${'tighten a control, '.repeat(4)}`,
            ownerId: 'cto',
            dueDate: n % 4 === 0 ? '2026-06-30' : '2027-06-30',
          }),
        );
      }
      await repo.createActions(actions);
    }

    const summaries = sources.earlier;
    const measure = async () => {
      requests = 0;
      const started = performance.now();
      const model = await buildPackageModel(repo, cycle.id, NOW);
      return { requests, ms: performance.now() - started, model };
    };

    // A stored programme version never changes and is read once per process: warm that cache first,
    // so that both counts are of the steady state.
    await measure();
    for (const summary of summaries.slice(-5)) await repo.putCycleSummary(summary);
    const five = await measure();
    for (const summary of summaries.slice(0, -5)) await repo.putCycleSummary(summary);
    const forty = await measure();

    expect(five.model.trends.earlierReviews).toBe(5);
    expect(forty.model.trends.earlierReviews).toBe(40);
    expect(forty.model.actions.open.length + forty.model.actions.overdue.length).toBe(500);
    expect(forty.requests).toBe(five.requests);
    expect(forty.requests).toBeLessThanOrEqual(8);
    console.log(
      JSON.stringify({
        packageBuild: {
          earlierCycles: 40,
          actions: 500,
          dynamodbRequests: forty.requests,
          ms: Math.round(forty.ms),
        },
      }),
    );

    // The summary this cycle leaves is what the next package reads.
    await repo.putCycleSummary(
      summaryOf(forty.model, { programmeId, version: 1, contentHash: 'd'.repeat(64) }),
    );
    const next = await repo.listCycleSummaries(programmeId, { before: '2099-01-01T00:00:00.000Z', limit: 1 });
    expect(next[0]!.cycleId).toBe(cycle.id);
    const later = {
      ...cycle,
      id: cycleIdFor('quarterly', new Date('2027-04-05T08:00:00Z')),
      plannedMeetingAt: '2027-05-03T08:00:00.000Z',
    };
    expect(packageModel({ ...sources, cycle: later, earlier: next }).previousReview?.cycleId).toBe(cycle.id);
  }, 60_000);
});
