/**
 * Schedules (EventBridge Scheduler, organisation time zone): one per programme review, which
 * invokes start-cycle; the daily anchor sweep and the daily held-mail digest, when the registry has
 * those functions. Every schedule's role may invoke its one function (unqualified ARN) and nothing
 * else; what the scheduler cannot deliver lands in a dead-letter queue the stack alarms on.
 */
import { ArnFormat, Aws, Duration, TimeZone } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IsmsFunction } from '#infra/constructs/isms-function.ts';
import { ANCHOR_FUNCTION_ID } from './anchoring.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { DEFAULT_BUSINESS_HOURS } from '#shared/programme/schema.ts';
import { InvalidStackInput } from './stack-input.ts';
import type { StackProgramme } from './stack-input.ts';

/** The registry function the review schedules invoke to start a cycle. */
export const START_CYCLE_FUNCTION_ID = 'start-cycle';

/** When the daily anchor sweep runs, in the organisation's time zone: the end of the local day. */
export const DAILY_ANCHOR_CRON = 'cron(50 23 * * ? *)';

/** The registry function that emails the ISMS manager the held mail. */
export const HELD_MAIL_DIGEST_FUNCTION_ID = 'held-mail-digest';

/**
 * When the held-mail digest goes: as each business day starts (the programme's `mail.businessHours`,
 * default Monday to Friday 09:00), in the organisation's time zone, as all mail the system starts.
 * It lists what is held over the last days, so Monday's holds what came at the weekend.
 */
export function heldMailDigestCron(
  hours: StackProgramme['mail']['businessHours'] = DEFAULT_BUSINESS_HOURS,
): string {
  const [hour, minute] = hours.start.split(':').map(Number);
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || hours.days.length === 0) {
    throw new InvalidStackInput(
      `mail.businessHours cannot time the held-mail digest: ${JSON.stringify(hours)}`,
    );
  }
  return `cron(${minute} ${hour} ? * ${hours.days.map((day) => day.toUpperCase()).join(',')} *)`;
}

export interface Schedules {
  readonly scheduleGroup: scheduler.ScheduleGroup;
  /** One per programme review, in the programme's order. */
  readonly schedules: readonly scheduler.Schedule[];
  readonly schedulesDeadLetterQueue: sqs.Queue;
  /** The daily anchor sweep (undefined when the registry has no anchoring function). */
  readonly dailyAnchorSchedule: scheduler.Schedule | undefined;
  readonly heldMailDigestSchedule: scheduler.Schedule | undefined;
}

export function createSchedules(
  stack: Stack,
  programme: StackProgramme,
  built: ReadonlyMap<string, IsmsFunction>,
): Schedules {
  const scheduleGroupName = `${stack.stackName}-reviews`;
  const scheduleGroup = new scheduler.ScheduleGroup(stack, 'ReviewSchedules', { scheduleGroupName });
  const schedulesDeadLetterQueue = deadLetterQueue(
    stack,
    'SchedulesDeadLetterQueue',
    'scheduled review starts the scheduler could not deliver',
  );
  // The scheduler, for schedules of this group only.
  const schedulerPrincipal = new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'scheduler',
        resource: 'schedule',
        resourceName: `${scheduleGroupName}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    },
  });
  const schedulerRole = new iam.Role(stack, 'SchedulerRole', {
    description: 'EventBridge Scheduler: invokes start-cycle, which starts review cycles',
    assumedBy: schedulerPrincipal,
  });
  const timeZone = TimeZone.of(programme.organisation.timeZone);
  /** Invokes `fn` with `input`, retried for a day, then into the dead-letter queue. */
  const invoke = (fn: IsmsFunction, role: iam.IRole, input: Record<string, unknown>) =>
    new InvokeUnqualifiedFunction(fn.function, {
      role,
      input: scheduler.ScheduleTargetInput.fromObject(input),
      deadLetterQueue: schedulesDeadLetterQueue,
      retryAttempts: 10,
      maxEventAge: Duration.hours(24),
    });

  const startCycle = built.get(START_CYCLE_FUNCTION_ID);
  if (!startCycle) {
    throw new InvalidStackInput(
      `The function registry has no "${START_CYCLE_FUNCTION_ID}"; the review schedules invoke it (infra/functions.ts)`,
    );
  }
  const schedules = programme.schedule.reviews.map(
    (review, index) =>
      new scheduler.Schedule(stack, `Review${index + 1}`, {
        scheduleName: `${stack.stackName}-${index + 1}-${review.type}`.slice(0, 64),
        scheduleGroup,
        description: `${review.type} management review of ${programme.organisation.name}`,
        schedule: scheduler.ScheduleExpression.expression(review.cron, timeZone),
        // The target is the start-cycle function, not the machine itself: it names the execution
        // after the cycle (programme + type + scheduled time), so a schedule that fires twice
        // starts one cycle (the scheduler cannot set an execution name). The scheduler invokes it
        // asynchronously: a failed start lands in start-cycle's failure queue, which is alarmed.
        target: invoke(startCycle, schedulerRole, {
          programmeId: programme.organisation.id,
          type: review.type,
          comprehensive: review.comprehensive ?? false,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
      }),
  );

  /** A daily schedule (organisation time zone) with its own role, which may invoke `fn` and nothing else. */
  const daily = (
    scheduleId: string,
    fn: IsmsFunction | undefined,
    cron: string,
    description: string,
    input: Record<string, string>,
  ): scheduler.Schedule | undefined => {
    if (!fn) return undefined;
    const role = new iam.Role(stack, `${scheduleId}SchedulerRole`, {
      description: `EventBridge Scheduler: invokes ${fn.entry} (${description})`,
      assumedBy: schedulerPrincipal,
    });
    return new scheduler.Schedule(stack, scheduleId, {
      scheduleName:
        `${stack.stackName}-${scheduleId.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`.slice(0, 64),
      scheduleGroup,
      description: `${description} of ${programme.organisation.name}`,
      schedule: scheduler.ScheduleExpression.expression(cron, timeZone),
      target: invoke(fn, role, input),
    });
  };

  // The daily anchor sweep: every open cycle whose chain moved since its last anchor gets a signed
  // anchor, so no stretch of a log between milestones stays unanchored for more than a day.
  const dailyAnchorSchedule = daily(
    'DailyAnchor',
    built.get(ANCHOR_FUNCTION_ID),
    DAILY_ANCHOR_CRON,
    'Daily signed anchor of every open review cycle',
    { sweep: 'daily', programmeId: programme.organisation.id },
  );
  // The ISMS manager's list of mail held at the front door, each business day (nothing when none is held).
  const heldMailDigestSchedule = daily(
    'DailyHeldMailDigest',
    built.get(HELD_MAIL_DIGEST_FUNCTION_ID),
    heldMailDigestCron(programme.mail.businessHours),
    'Digest of held inbound mail, each business day',
    { programmeId: programme.organisation.id },
  );
  return { scheduleGroup, schedules, schedulesDeadLetterQueue, dailyAnchorSchedule, heldMailDigestSchedule };
}

/**
 * Scheduler target that invokes one function by its unqualified ARN, which is what a schedule names.
 * `LambdaInvoke` would grant the role `lambda:InvokeFunction` on the function and on `<arn>:*` (every
 * version and alias); this grants the unqualified ARN only, so the role can invoke that function and
 * nothing else.
 */
class InvokeUnqualifiedFunction extends schedulerTargets.LambdaInvoke {
  private readonly invoked: IFunction;

  constructor(fn: IFunction, props: schedulerTargets.ScheduleTargetBaseProps) {
    super(fn, props);
    this.invoked = fn;
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.invoked.functionArn] }),
    );
  }
}
