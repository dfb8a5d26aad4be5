/**
 * The local EventBridge Scheduler: fires the review schedules of the synthesized template, on the
 * local runtime's clock, the way the AWS scheduler does. Each `AWS::Scheduler::Schedule` of the
 * template (cron expression, time zone, state, target function and input) is read from the same
 * template the state machine comes from, so what fires locally is what is deployed.
 *
 * At each occurrence the target function's handler is invoked in process with the schedule's input,
 * `<aws.scheduler.scheduled-time>` replaced by the occurrence (as the scheduler does). A failing
 * invocation is retried with exponential backoff up to the schedule's MaximumRetryAttempts; after the
 * last one the event is logged as dead-lettered (on AWS it lands in the schedules' dead-letter queue).
 * Occurrences that passed while the stack was stopped are not fired late, as on AWS.
 */
import { z } from 'zod';
import type { Clock } from '#shared/clock.ts';
import { nextOccurrences } from '#shared/programme/cron.ts';
import type { ResolveHandler } from './stepfunctions/lambda.ts';

export class InvalidScheduleResource extends Error {
  override name = 'InvalidScheduleResource' as const;
}

/** The clock the scheduler sleeps on: the local runtime's (RuntimeClock). */
export interface SchedulerClock extends Clock {
  sleepUntil(target: Date, signal?: AbortSignal): Promise<void>;
}

export interface LocalSchedule {
  readonly logicalId: string;
  readonly name: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  /** Logical id of the target Lambda function. */
  readonly targetLogicalId: string;
  /** The target's handler file (metadata `isms-review:entry`). */
  readonly entry: string | undefined;
  /** The input as written in the template, with the scheduler's context placeholders. */
  readonly input: string;
  readonly maximumRetryAttempts: number;
}

export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

const ScheduleResource = z.looseObject({
  Type: z.literal('AWS::Scheduler::Schedule'),
  Properties: z.looseObject({
    Name: z.string().optional(),
    ScheduleExpression: z.string().regex(/^cron\(.+\)$/, { error: 'expected a cron(...) expression' }),
    ScheduleExpressionTimezone: z.string().default('UTC'),
    State: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
    Target: z.looseObject({
      Arn: z.looseObject({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
      Input: z.string().default('{}'),
      RetryPolicy: z.looseObject({ MaximumRetryAttempts: z.number().int().min(0).max(185) }).optional(),
    }),
  }),
});

const Template = z.looseObject({
  Resources: z.record(z.string(), z.looseObject({ Type: z.string(), Metadata: z.unknown().optional() })),
});

/** Every schedule of a synthesized template; throws InvalidScheduleResource naming the resource. */
export function schedulesFromTemplate(template: unknown): LocalSchedule[] {
  const parsed = Template.safeParse(template);
  if (!parsed.success) throw new InvalidScheduleResource('the template has no Resources section');
  const resources = parsed.data.Resources;
  const schedules: LocalSchedule[] = [];
  for (const [logicalId, raw] of Object.entries(resources)) {
    if (raw.Type !== 'AWS::Scheduler::Schedule') continue;
    const resource = ScheduleResource.safeParse(raw);
    if (!resource.success) {
      const issue = resource.error.issues[0];
      throw new InvalidScheduleResource(
        `schedule ${logicalId}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not understood'} ` +
          '(only a cron expression targeting a function of this template runs locally)',
      );
    }
    const properties = resource.data.Properties;
    const targetLogicalId = properties.Target.Arn['Fn::GetAtt'][0];
    const target = resources[targetLogicalId];
    if (target?.Type !== 'AWS::Lambda::Function') {
      throw new InvalidScheduleResource(
        `schedule ${logicalId} targets ${targetLogicalId}, which is not a function of the template`,
      );
    }
    const metadata = target.Metadata as Record<string, unknown> | undefined;
    const entry = metadata?.['isms-review:entry'];
    schedules.push({
      logicalId,
      name: properties.Name ?? logicalId,
      cron: properties.ScheduleExpression,
      timeZone: properties.ScheduleExpressionTimezone,
      enabled: properties.State === 'ENABLED',
      targetLogicalId,
      entry: typeof entry === 'string' ? entry : undefined,
      input: properties.Target.Input,
      maximumRetryAttempts: properties.Target.RetryPolicy?.MaximumRetryAttempts ?? 185,
    });
  }
  return schedules;
}

/** The event a schedule delivers for one occurrence. */
export function scheduledEvent(schedule: LocalSchedule, at: Date): unknown {
  const when = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.parse(schedule.input.split(SCHEDULED_TIME_PLACEHOLDER).join(when)) as unknown;
}

export interface LocalSchedulerOptions {
  readonly schedules: readonly LocalSchedule[];
  readonly clock: SchedulerClock;
  readonly resolveHandler: ResolveHandler;
  readonly log?: (line: string) => void;
  /** First retry delay in simulated ms (doubles each time); default 60 s. */
  readonly retryBaseMs?: number;
}

export class LocalScheduler {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly options: LocalSchedulerOptions) {}

  /** Starts one timer per enabled schedule. */
  start(): void {
    for (const schedule of this.options.schedules) {
      if (!schedule.enabled) continue;
      this.loops.push(this.run(schedule));
    }
  }

  /** One line per schedule: its name, expression and zone, and when it fires next. */
  describe(): string[] {
    return this.options.schedules.map((schedule) => {
      const [next] = nextOccurrences(schedule.cron, schedule.timeZone, this.options.clock.now(), 1);
      const when = !schedule.enabled
        ? 'disabled'
        : next
          ? `next ${next.toISOString()}`
          : 'no further occurrence';
      return `${schedule.name} ${schedule.cron} ${schedule.timeZone} (${when})`;
    });
  }

  private log(line: string): void {
    this.options.log?.(`[scheduler] ${line}`);
  }

  private async run(schedule: LocalSchedule): Promise<void> {
    const { clock } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const [next] = nextOccurrences(schedule.cron, schedule.timeZone, clock.now(), 1);
      if (!next) {
        this.log(`${schedule.name}: no further occurrence`);
        return;
      }
      try {
        await clock.sleepUntil(next, signal);
      } catch {
        return; // stopped
      }
      await this.fire(schedule, next);
    }
  }

  /** Invokes the target for one occurrence, with the schedule's retry policy. */
  async fire(schedule: LocalSchedule, at: Date): Promise<'delivered' | 'dead-lettered'> {
    const event = scheduledEvent(schedule, at);
    const base = this.options.retryBaseMs ?? 60_000;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const handler = await this.options.resolveHandler(schedule.targetLogicalId, schedule.entry);
        const result = await handler(event, {} as never);
        this.log(`${schedule.name} fired for ${at.toISOString()}: ${JSON.stringify(result)}`);
        return 'delivered';
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (this.abort.signal.aborted) return 'dead-lettered';
        if (attempt >= schedule.maximumRetryAttempts) {
          this.log(
            `${schedule.name} for ${at.toISOString()} dead-lettered after ${attempt + 1} attempts: ${message}`,
          );
          return 'dead-lettered';
        }
        this.log(`${schedule.name} for ${at.toISOString()} failed (${message}); retrying`);
        try {
          await this.options.clock.sleepUntil(
            new Date(this.options.clock.now().getTime() + base * 2 ** Math.min(attempt, 10)),
            this.abort.signal,
          );
        } catch {
          return 'dead-lettered';
        }
      }
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }
}
