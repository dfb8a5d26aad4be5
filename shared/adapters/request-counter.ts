/**
 * Counts the DynamoDB requests a piece of code makes, by command, with SDK middleware on the
 * clients it is attached to: the bench reports requests per operation from it, and tests use it to
 * show that an operation's work does not grow with history.
 *
 * - `commands`: one per command sent (what the code asked for);
 * - `attempts`: one per HTTP request (retries included: what AWS bills and throttles);
 * - with `consumedCapacity`, the read and write capacity units DynamoDB reports it consumed
 *   (ReturnConsumedCapacity=TOTAL is added to requests that do not ask for it).
 *
 *   const counter = new RequestCounter();
 *   const stop = onDynamoClientCreated((client) => counter.attach(client));
 *   ... const { counts } = await counter.measure(() => openCycle(deps, request));
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface RequestCounts {
  /** Commands sent, by name without the `Command` suffix (GetItem, Query, TransactWriteItems, ...). */
  readonly commands: Readonly<Record<string, number>>;
  /** HTTP requests made, retries included, by the same names. */
  readonly attempts: Readonly<Record<string, number>>;
  readonly totalCommands: number;
  readonly totalAttempts: number;
  /** Capacity units DynamoDB reported for reads (GetItem, Query, BatchGetItem, TransactGetItems). */
  readonly readUnits: number;
  /** Capacity units DynamoDB reported for writes (PutItem, UpdateItem, TransactWriteItems, ...). */
  readonly writeUnits: number;
}

export interface RequestCounterOptions {
  /** Ask DynamoDB for the consumed capacity of every request and add it up. Default false. */
  readonly consumedCapacity?: boolean;
  /** Called with every command before it is sent: its name and input (to list what an operation reads). */
  readonly onCommand?: (name: string, input: Readonly<Record<string, unknown>>) => void;
}

/** Commands that accept ReturnConsumedCapacity. */
const WITH_CAPACITY = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

interface Capacity {
  CapacityUnits?: number;
}

function unitsOf(consumed: unknown): number {
  if (Array.isArray(consumed)) return consumed.reduce((sum: number, one) => sum + unitsOf(one), 0);
  if (consumed && typeof consumed === 'object') return (consumed as Capacity).CapacityUnits ?? 0;
  return 0;
}

const add = (map: Map<string, number>, name: string) => map.set(name, (map.get(name) ?? 0) + 1);

function diff(after: RequestCounts, before: RequestCounts): RequestCounts {
  const minus = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([name, count]) => [name, count - (b[name] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
  return {
    commands: minus(after.commands, before.commands),
    attempts: minus(after.attempts, before.attempts),
    totalCommands: after.totalCommands - before.totalCommands,
    totalAttempts: after.totalAttempts - before.totalAttempts,
    readUnits: after.readUnits - before.readUnits,
    writeUnits: after.writeUnits - before.writeUnits,
  };
}

export class RequestCounter {
  private readonly commands = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private readUnits = 0;
  private writeUnits = 0;
  private readonly attached = new WeakSet<object>();

  constructor(private readonly options: RequestCounterOptions = {}) {}

  /** Counts every request `client` (and the document clients built on it) sends from now on. */
  attach(client: DynamoDBClient): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        add(this.commands, name);
        const input = args.input as Record<string, unknown>;
        this.options.onCommand?.(name, input);
        if (this.options.consumedCapacity && WITH_CAPACITY.has(name) && !input.ReturnConsumedCapacity) {
          input.ReturnConsumedCapacity = 'TOTAL';
        }
        const result = await next(args);
        const units = unitsOf((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        if (READS.has(name)) this.readUnits += units;
        else this.writeUnits += units;
        return result;
      },
      { step: 'initialize', name: 'ismsRequestCounter', override: true },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        add(this.attempts, (context.commandName ?? 'Unknown').replace(/Command$/, ''));
        return next(args);
      },
      // The deserialize step runs inside the retry loop: once per HTTP request.
      { step: 'deserialize', name: 'ismsRequestAttemptCounter', override: true },
    );
  }

  /** The counts since this counter was made (or last reset). */
  snapshot(): RequestCounts {
    const sum = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
    return {
      commands: Object.fromEntries(this.commands),
      attempts: Object.fromEntries(this.attempts),
      totalCommands: sum(this.commands),
      totalAttempts: sum(this.attempts),
      readUnits: this.readUnits,
      writeUnits: this.writeUnits,
    };
  }

  reset(): void {
    this.commands.clear();
    this.attempts.clear();
    this.readUnits = 0;
    this.writeUnits = 0;
  }

  /** Runs `work` and returns what it sent (requests of concurrent work are counted too). */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; counts: RequestCounts }> {
    const before = this.snapshot();
    const result = await work();
    return { result, counts: diff(this.snapshot(), before) };
  }
}
