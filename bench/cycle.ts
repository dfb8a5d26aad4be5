/**
 * One whole quarterly review cycle, counted: the demo's cycle (demo/cycle.ts: inputs by SMTP, package,
 * minutes, actions followed up until the cycle closes, in accelerated time) run once on its own
 * ephemeral local stack, with the synthesized state machine on the local Step Functions runtime.
 *
 * Counted: the state transitions of the cycle's execution as AWS bills them (the runtime's metrics),
 * every Lambda invocation with its duration in process (the state machine's tasks, the schedule's
 * target and the ingest of every reply), emails sent and received, and the DynamoDB requests and
 * capacity units of every client the handlers build (the request counter's middleware). The local
 * runtime's own table writes and the simulated people's reads are not AWS costs and are not counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onDynamoClientCreated } from '#shared/adapters/dynamodb.ts';
import { RequestCounter } from '#shared/adapters/request-counter.ts';
import { resetWiring } from '#shared/wiring/wiring.ts';
import { DEFAULT_MEMORY_MB } from '#infra/constructs/isms-function.ts';
import { functions } from '#infra/functions.ts';
import { runCycle } from '../demo/cycle.ts';

export interface FunctionFigure {
  readonly invocations: number;
  /** Summed duration of its invocations, in process on this machine. */
  readonly ms: number;
  /** Memory size configured in infra/functions.ts. */
  readonly memoryMb: number;
  readonly gbSeconds: number;
}

export interface CycleFigures {
  readonly cycleId: string;
  readonly phase: string;
  /** Real seconds the cycle took to run here. */
  readonly seconds: number;
  /** Simulated days from the schedule firing to the cycle closing. */
  readonly simulatedDays: number;
  /** State transitions of the cycle's execution, as AWS bills them for STANDARD workflows. */
  readonly stateTransitions: number;
  readonly statesEntered: number;
  readonly retries: number;
  /** Lambda invocations by function id (infra/functions.ts). */
  readonly lambda: Readonly<Record<string, FunctionFigure>>;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly emailsSent: number;
  /** Recipients of the emails sent: SES bills each one. */
  readonly emailRecipients: number;
  readonly emailsReceived: number;
  readonly dynamodb: { readonly requests: number; readonly readUnits: number; readonly writeUnits: number };
}

export class CycleNotCounted extends Error {
  override name = 'CycleNotCounted' as const;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function functionIdOf(entry: string | undefined, logicalId: string): string {
  const spec = functions.find((f) => f.entry === entry);
  if (!spec)
    throw new CycleNotCounted(`function ${logicalId} (${entry ?? 'no entry'}) is not in the registry`);
  return spec.id;
}

/** Runs the cycle and returns what it used. */
export async function countCycle(): Promise<CycleFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'isms-bench-cycle-'));
  const counter = new RequestCounter({ consumedCapacity: true });
  const stopCounting = onDynamoClientCreated((client) => counter.attach(client));
  // The handlers keep the dependencies they built for the last stack; the cycle runs on a new one.
  resetWiring();
  const began = performance.now();
  try {
    const run = await runCycle({ outputDir: dir, writeResults: false, log: () => {} });
    const seconds = Math.round((performance.now() - began) / 1000);
    const byFunction = new Map<string, { invocations: number; ms: number }>();
    const add = (id: string, invocations: number, ms: number) => {
      const figure = byFunction.get(id) ?? { invocations: 0, ms: 0 };
      byFunction.set(id, { invocations: figure.invocations + invocations, ms: figure.ms + ms });
    };
    for (const [logicalId, figure] of Object.entries(run.execution.lambda)) {
      add(functionIdOf(figure.entry, logicalId), figure.invocations, figure.durationMs);
    }
    for (const [entry, figure] of Object.entries(run.outsideWorkflow)) {
      add(functionIdOf(entry, entry), figure.invocations, figure.durationMs);
    }
    const lambda: Record<string, FunctionFigure> = {};
    let gbSeconds = 0;
    for (const [id, figure] of [...byFunction].sort(([a], [b]) => a.localeCompare(b))) {
      const memoryMb = functions.find((f) => f.id === id)?.memorySize ?? DEFAULT_MEMORY_MB;
      const used = (figure.ms / 1000) * (memoryMb / 1024);
      gbSeconds += used;
      lambda[id] = {
        invocations: figure.invocations,
        ms: Math.round(figure.ms),
        memoryMb,
        gbSeconds: round2(used),
      };
    }
    const counts = counter.snapshot();
    const closedAt = Date.parse(run.cycle.closedAt ?? run.cycle.openedAt);
    return {
      cycleId: run.cycle.id,
      phase: run.cycle.phase,
      seconds,
      simulatedDays: Math.round((closedAt - Date.parse(run.cycle.openedAt)) / 86_400_000),
      stateTransitions: run.execution.stateTransitions,
      statesEntered: run.execution.statesEntered,
      retries: run.execution.retries,
      lambda,
      lambdaInvocations: Object.values(lambda).reduce((sum, f) => sum + f.invocations, 0),
      lambdaGbSeconds: round2(gbSeconds),
      emailsSent: run.sentKeys.length,
      emailRecipients: run.sentRecipients,
      emailsReceived: run.repliesReceived,
      dynamodb: {
        requests: counts.totalAttempts,
        readUnits: round2(counts.readUnits),
        writeUnits: round2(counts.writeUnits),
      },
    };
  } finally {
    stopCounting();
    await rm(dir, { recursive: true, force: true });
  }
}
