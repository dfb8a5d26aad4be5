/**
 * A programme's history, written straight into the table with BatchWriteItem (the bench only: the
 * product always writes through the repository). Each earlier cycle is closed, with its input
 * requests, one submission per asked input (figures that drift, for the trends), the summary its
 * package left, and its share of the closed actions; the newest earlier cycle also has a few open,
 * overdue actions, so the escalation sweep has work to do at every size.
 *
 * Every record is checked against the model's schema before it is written, with the keys the
 * repository uses (shared/store/keys.ts), so the code under test reads it as its own.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { Action } from '#shared/model/action.ts';
import { Cycle } from '#shared/model/cycle.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { InputRequest, InputSubmission } from '#shared/model/input.ts';
import { CycleSummary } from '#shared/model/cycle-summary.ts';
import { programmeCatalogue } from '#shared/programme/queries.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { actionKeys, cycleKeys, inputKeys, summaryKeys } from '#shared/store/keys.ts';
import { aCycle, anAction, anInputRequest, aSubmission } from '#test/unit/model/builders.ts';

const DAY = 86_400_000;
/** Open, overdue actions in the newest earlier cycle (the sweep's work). */
export const OPEN_OVERDUE_ACTIONS = 3;

export interface HistorySize {
  readonly label: string;
  readonly cycles: number;
  readonly closedActions: number;
}

export const HISTORY_SIZES: readonly HistorySize[] = [
  { label: 'small', cycles: 1, closedActions: 100 },
  { label: 'medium', cycles: 10, closedActions: 1_000 },
  { label: 'large', cycles: 40, closedActions: 10_000 },
];

export class SeedFailed extends Error {
  override name = 'SeedFailed' as const;
}

type Item = Record<string, unknown>;

/** Saves the programme as version 1 (through the repository) and returns its reference. */
export async function saveProgramme(
  repo: DynamoDbRepository,
  programme: Programme,
  at: Date,
): Promise<{ programmeId: string; version: number; hash: string }> {
  const hash = canonicalHash(programme);
  const programmeId = programme.organisation.id;
  await repo.saveProgrammeVersion({
    programmeId,
    version: 1,
    hash,
    savedAt: at.toISOString(),
    savedBy: 'bench',
    document: programme as unknown as Record<string, unknown>,
  });
  return { programmeId, version: 1, hash };
}

/** Writes `size` worth of history before `now`; returns the number of items written. */
export async function seedHistory(options: {
  client: DynamoDBClient;
  tableName: string;
  programme: Programme;
  programmeRef: { programmeId: string; version: number; hash: string };
  size: HistorySize;
  now: Date;
}): Promise<number> {
  const { programme, programmeRef, size, now } = options;
  const programmeId = programmeRef.programmeId;
  const catalogue = programmeCatalogue(programme).filter((input) => !input.automatic);
  const items: Item[] = [];
  const perCycle = Math.ceil(size.closedActions / size.cycles);
  let actionsLeft = size.closedActions;
  for (let i = size.cycles; i >= 1; i -= 1) {
    const openedAt = new Date(now.getTime() - i * 91 * DAY);
    const draft = aCycle({ programmeId, programme: programmeRef }, openedAt);
    const packageHash = canonicalHash({ cycle: draft.id });
    const cycle = Cycle.parse({
      ...draft,
      id: cycleIdFor('quarterly', openedAt),
      phase: 'CLOSED',
      status: 'closed',
      packageHash,
      packageSentAt: draft.packageSendAt,
      closedAt: new Date(Date.parse(draft.plannedMeetingAt) + 60 * DAY).toISOString(),
      version: 12,
    });
    items.push({
      ...cycleKeys.cycle(cycle.id),
      ...cycleKeys.indexKeys(cycle),
      entity: 'cycle',
      ...cycle,
      eventHeadSeq: 0,
      eventHeadHash: '0'.repeat(64),
    });
    const periodEnd = cycle.openedAt.slice(0, 10);
    const periodCovered = {
      from: new Date(openedAt.getTime() - 91 * DAY).toISOString().slice(0, 10),
      to: periodEnd,
    };
    const figures: Record<string, { name: string; value: number; unit: string }[]> = {};
    for (const input of catalogue) {
      const metric = { name: 'Open items', value: (i * 7 + input.key.length) % 20, unit: 'count' };
      const submission = InputSubmission.parse(
        aSubmission(
          anInputRequest(cycle, input.key, { periodCovered }),
          new Date(openedAt.getTime() + 5 * DAY),
          { metrics: [metric], summary: `Input ${input.key} of ${cycle.id}.` },
        ),
      );
      const request = InputRequest.parse(
        anInputRequest(cycle, input.key, {
          ownerId: programme.inputs.owners[input.key] ?? 'ciso',
          periodCovered,
          status: 'SUBMITTED',
          submissionId: submission.id,
        }),
      );
      items.push({
        ...inputKeys.request(cycle.id, input.key),
        ...inputKeys.requestIndexKeys(request),
        entity: 'input-request',
        ...request,
      });
      items.push({
        ...inputKeys.submission(cycle.id, input.key, submission.id),
        ...inputKeys.submissionIndexKeys(submission),
        entity: 'submission',
        ...submission,
      });
      figures[input.key] = [metric];
    }
    const summary = CycleSummary.parse({
      cycleId: cycle.id,
      programmeId,
      plannedMeetingAt: cycle.plannedMeetingAt,
      title: `Quarterly review ${cycle.plannedMeetingAt.slice(0, 7)}`,
      packageVersion: 1,
      packageHash,
      builtAt: cycle.packageSendAt,
      figures,
      inputStatus: Object.fromEntries(catalogue.map((input) => [input.key, 'provided'])),
      openActions: [],
      overdueActions: 0,
      decisions: 2,
    });
    items.push({
      ...summaryKeys.summary(programmeId, summary.plannedMeetingAt, summary.cycleId),
      entity: 'cycle-summary',
      ...summary,
    });
    const count = Math.min(perCycle, actionsLeft);
    actionsLeft -= count;
    const closedOn = cycle.closedAt!;
    for (let n = 1; n <= count; n += 1) {
      const action = Action.parse(
        anAction(cycle, n, {
          status: 'done',
          dueDate: new Date(Date.parse(cycle.plannedMeetingAt) + 30 * DAY).toISOString().slice(0, 10),
          closureEvidence: { at: closedOn, by: 'ciso', text: 'Done and checked.' },
          updatedAt: closedOn,
        }),
      );
      items.push({
        ...actionKeys.action(cycle.id, action.id),
        ...actionKeys.indexKeys(action),
        entity: 'action',
        ...action,
      });
    }
    if (i === 1) {
      for (let n = count + 1; n <= count + OPEN_OVERDUE_ACTIONS; n += 1) {
        const action = Action.parse(
          anAction(cycle, n, {
            dueDate: new Date(now.getTime() - 20 * DAY).toISOString().slice(0, 10),
            ownerId: 'ciso',
          }),
        );
        items.push({
          ...actionKeys.action(cycle.id, action.id),
          ...actionKeys.indexKeys(action),
          entity: 'action',
          ...action,
        });
      }
    }
  }
  await batchWrite(options.client, options.tableName, items);
  return items.length;
}

/** BatchWriteItem in chunks of 25, four at a time, resending unprocessed items. */
async function batchWrite(client: DynamoDBClient, tableName: string, items: readonly Item[]): Promise<void> {
  const doc = documentClient(client);
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      let requests = chunk.map((item) => ({ PutRequest: { Item: item } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 10) throw new SeedFailed(`DynamoDB kept ${requests.length} items unprocessed`);
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
