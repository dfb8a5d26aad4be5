/**
 * What the input check reads and writes, in as few requests as correctness allows.
 *
 * Read: the cycle, its input requests and its input follow-up claims in one query
 * (getCycleWithInputsAndClaims). A follow-up step is complete once its `:done` claim is stored.
 *
 * Write: the follow-up steps sent by one check are recorded on the requests they cover (a reminder
 * counted, the escalation level raised), one event per request and step, with each step's `:done`
 * claim; at the deadline, every input still REQUESTED is marked NOT_PROVIDED with its event. A step
 * is written whole in one transaction (its requests, its events, its claim), so a crash leaves each
 * step either recorded and complete or not recorded at all; the next check sends it again through
 * the outbox, which finds it sent and sends nothing, and records it then. Steps (and marks) are
 * packed into as few transactions as DynamoDB's limit of 100 items allows: the steps of one owner
 * share their requests, so a request changed by two steps is written once with both.
 *
 * Races: each request is written at the version read and each `:done` claim must be new. When an
 * owner's answer (or another check) changed a request in between, the whole transaction is refused,
 * the cycle is read again and what is left to record is worked out afresh: an answered input is
 * never counted as reminded, nor marked NOT_PROVIDED, nor turned back.
 */
import type { Cycle } from '../model/cycle.ts';
import type { EventDraft } from '../model/event.ts';
import type { InputRequest } from '../model/input.ts';
import { AlreadyExists, ConcurrentUpdate } from '../store/repository.ts';
import type { InputStep } from './input-policy.ts';
import { CycleNotFound, SYSTEM, iso } from './cycle-state.ts';
import type { StoreDeps } from './ports.ts';

/** The claim prefix of input follow-up steps: `input:<owner>:<step>`. */
const INPUT_CLAIMS = 'input:';
/** Marks an input follow-up step as complete: sent and recorded on every request it covers. */
const DONE_SUFFIX = ':done';
/** DynamoDB's limit on the items of one transaction (TransactWriteItems), the chain head included. */
const TRANSACTION_ITEMS = 100;
/** Times a write refused because a request changed meanwhile is worked out again on a fresh read. */
const WRITE_ATTEMPTS = 5;

/** The cycle as the input check sees it. */
export interface InputCollection {
  readonly cycle: Cycle;
  readonly requests: readonly InputRequest[];
  /** The complete follow-up steps, as `<ownerId>:<stepId>`. */
  readonly done: ReadonlySet<string>;
}

/** A follow-up step sent to (or about) one owner's missing inputs. */
export interface SentStep {
  readonly ownerId: string;
  readonly step: InputStep;
  /** The inputs the message named. */
  readonly keys: readonly string[];
}

const stepId = (ownerId: string, step: Pick<InputStep, 'id'>) => `${ownerId}:${step.id}`;

/** The cycle, its input requests and the complete follow-up steps, in one read. */
export async function readInputCollection(
  deps: Pick<StoreDeps, 'repo'>,
  cycleId: string,
): Promise<InputCollection> {
  const read = await deps.repo.getCycleWithInputsAndClaims(cycleId, INPUT_CLAIMS);
  if (!read) throw new CycleNotFound(`cycle ${cycleId} does not exist`);
  const done = read.claims
    .filter((key) => key.endsWith(DONE_SUFFIX))
    .map((key) => key.slice(INPUT_CLAIMS.length, -DONE_SUFFIX.length));
  return { cycle: read.cycle, requests: read.requests, done: new Set(done) };
}

/** One change written whole: requests changed alike, their events, and the claims that go with them. */
interface Change {
  readonly requests: readonly InputRequest[];
  readonly apply: (request: InputRequest) => InputRequest;
  readonly events: (request: InputRequest) => EventDraft[];
  readonly claims: readonly { key: string; at: string }[];
}

/** The requests, events and claims of one transaction. */
interface Batch {
  readonly requests: Map<string, InputRequest>;
  readonly events: EventDraft[];
  readonly claims: { key: string; at: string }[];
  /** Keys of the requests each change wrote, in order. */
  readonly changed: string[];
}

const emptyBatch = (): Batch => ({ requests: new Map(), events: [], claims: [], changed: [] });

/** Items a batch writes: each request, each event, each claim, and the chain head when it appends. */
const itemsOf = (requests: number, events: number, claims: number) =>
  requests + events + claims + (events > 0 ? 1 : 0);

/**
 * Writes the changes in as few transactions as fit, each change whole in one. A request two changes
 * touch is written once, with both; across transactions, the next starts from the version the last
 * one stored. Returns the keys of the requests written.
 */
async function writeChanges(
  deps: Pick<StoreDeps, 'repo'>,
  cycleId: string,
  changes: readonly Change[],
): Promise<string[]> {
  const latest = new Map<string, InputRequest>();
  const written: string[] = [];
  let batch = emptyBatch();
  const flush = async () => {
    if (batch.requests.size + batch.claims.length === 0) return;
    const { requests } = await deps.repo.updateInputRequests(cycleId, [...batch.requests.values()], {
      events: batch.events,
      claims: batch.claims,
    });
    for (const request of requests) latest.set(request.inputKey, request);
    written.push(...batch.changed);
    batch = emptyBatch();
  };
  for (const change of changes) {
    const events = change.requests.flatMap((request) => change.events(request));
    const added = change.requests.filter((r) => !batch.requests.has(r.inputKey)).length;
    const needed = itemsOf(
      batch.requests.size + added,
      batch.events.length + events.length,
      batch.claims.length + change.claims.length,
    );
    if (needed > TRANSACTION_ITEMS) await flush();
    for (const request of change.requests) {
      const current = batch.requests.get(request.inputKey) ?? latest.get(request.inputKey) ?? request;
      batch.requests.set(request.inputKey, change.apply(current));
      batch.changed.push(request.inputKey);
    }
    batch.events.push(...events);
    batch.claims.push(...change.claims);
  }
  await flush();
  return written;
}

/**
 * Works out the changes from the cycle as read and writes them; when a request changed or a claim
 * was taken meanwhile (nothing of that transaction is written), reads the cycle again and works out
 * what is left. Returns the keys of the requests written.
 */
async function writeOnFreshRead(
  deps: Pick<StoreDeps, 'repo'>,
  read: InputCollection,
  plan: (collection: InputCollection) => Change[],
): Promise<string[]> {
  let collection = read;
  const written: string[] = [];
  for (let attempt = 1; ; attempt += 1) {
    const changes = plan(collection);
    if (changes.length === 0) return written;
    try {
      written.push(...(await writeChanges(deps, collection.cycle.id, changes)));
      return written;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdate || error instanceof AlreadyExists)) throw error;
      if (attempt >= WRITE_ATTEMPTS) throw error;
      collection = await readInputCollection(deps, collection.cycle.id);
    }
  }
}

/** The request after one more follow-up step. */
function afterStep(step: InputStep, at: string) {
  return (request: InputRequest): InputRequest =>
    step.kind === 'reminder'
      ? { ...request, remindersSent: request.remindersSent + 1, lastReminderAt: at }
      : {
          ...request,
          escalationLevel: Math.max(request.escalationLevel, step.kind === 'escalate-manager' ? 1 : 2),
        };
}

/**
 * Records the steps sent (or found sent before) on the requests they name that are still awaiting an
 * answer, with their events and `:done` claims; a step complete already is left out.
 */
export async function recordSteps(
  deps: Pick<StoreDeps, 'repo'>,
  read: InputCollection,
  sent: readonly SentStep[],
  now: Date,
): Promise<void> {
  const at = iso(now);
  await writeOnFreshRead(deps, read, (collection) =>
    sent
      .filter(({ ownerId, step }) => !collection.done.has(stepId(ownerId, step)))
      .map(({ ownerId, step, keys }) => ({
        requests: collection.requests.filter(
          (r) => r.ownerId === ownerId && keys.includes(r.inputKey) && r.status === 'REQUESTED',
        ),
        apply: afterStep(step, at),
        events: (request) => [
          {
            type: step.kind === 'reminder' ? 'input.reminder_sent' : 'input.escalated',
            at,
            actor: SYSTEM,
            data: { inputKey: request.inputKey, ownerId, step: step.id },
          },
        ],
        claims: [{ key: `${INPUT_CLAIMS}${stepId(ownerId, step)}${DONE_SUFFIX}`, at }],
      })),
  );
}

/**
 * Marks every input an owner was asked for and still has not answered as NOT_PROVIDED, with its
 * event; returns the keys marked.
 */
export async function markNotProvided(
  deps: Pick<StoreDeps, 'repo'>,
  read: InputCollection,
  now: Date,
): Promise<string[]> {
  const at = iso(now);
  const written = await writeOnFreshRead(deps, read, (collection) =>
    collection.requests
      .filter((r) => !r.automatic && r.ownerId && r.status === 'REQUESTED')
      .map((request) => ({
        requests: [request],
        apply: (current) => ({ ...current, status: 'NOT_PROVIDED', notProvidedAt: at }),
        events: (current) => [
          {
            type: 'input.not_provided',
            at,
            actor: SYSTEM,
            data: { inputKey: current.inputKey, ownerId: current.ownerId ?? null, dueAt: current.dueAt },
          },
        ],
        claims: [],
      })),
  );
  return [...new Set(written)];
}
