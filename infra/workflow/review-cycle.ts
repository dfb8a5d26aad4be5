/**
 * The review-cycle state machine (JSONPath): one execution per cycle, named by the cycle id.
 *
 *   OpenCycle → AnchorOpened → RequestInputs → CheckInputs ─┬─ proceed ──→ CompilePackage
 *                                   ↑                       └─ wait ──→ AwaitInputs (task token)
 *                                   └─ a reply resumes it, or it times out when a step falls due ─┘
 *   → CheckPackageApproval ⇄ AwaitPackageApproval (the ISMS manager: APPROVE / CHANGES)
 *     (an input changed since the build: back to CompilePackage, which builds a new version)
 *   → WaitForDistribution → Distribute (an input changed since the build: back to approval)
 *   → AnchorPackage → RequestMinutes ─┬─ held ──→ CheckMinutes
 *                           ↑          └─ not yet ──→ AwaitMeeting (task token)
 *                           └─ the meeting time, or a moved meeting, resumes it ─┘
 *   → AwaitMinutes (task token) ⇄ CheckMinutes ─ accepted → CheckMinutesApproval
 *     ⇄ AwaitMinutesApproval (the chair: APPROVE / OBJECT) → AnchorMinutes
 *   → RecordOutcomes → FollowUp ─┬─ all closed → CloseCycle → AnchorClosed → Closed
 *                      ↑         └─ else → AwaitFollowUp (task token) ─┐
 *                      └─ the next step falls due, or an action or the programme changed ─┘
 *
 * The Anchor* states run the anchoring function (functions/anchor-chain.ts), the only one that may
 * sign: it writes the chain head, signed, under anchors/ in the evidence bucket, once per milestone.
 *
 * Every task reads the cycle from DynamoDB by its id and is idempotent, so the execution state stays
 * small ($.cycle is a refreshed view of the cycle's dates) and a retried or resumed task is harmless.
 * Waits for people use `lambda:invoke.waitForTaskToken`: the token is parked in DynamoDB by the
 * task's handler and resumed by the ingest function when the last input, the minutes or an answer
 * arrive, and by a moved meeting (shared/cycle/await-people.ts `wakeWaiting`). So does the wait for
 * the meeting once the package is out (AwaitMeeting, shared/cycle/await-meeting.ts): RequestMinutes
 * returns the seconds until the meeting, and a meeting moved earlier or later wakes the wait, so
 * the minutes are asked for at the new time. (A Wait state on the meeting time cannot be woken: a
 * meeting moved earlier got its minutes request after the real meeting.) Against such a Wait it
 * costs two transitions per cycle (RequestMinutes and its choice once more), three more per week
 * the meeting is away (the week's cap) and three per move. The Check* task before
 * each wait works out when something next falls due for it (the next reminder or escalation at the
 * time it may really go out, in its recipient's business hours, or the input deadline) and returns
 * the seconds until then (shared/cycle/wake-up.ts: whole seconds, 60 s to 7 days); the wait's
 * TimeoutSecondsPath reads them. On the timeout (States.Timeout) the Check* task sends what fell due
 * and decides whether to go on or wait again.
 *
 * Why a timeout read from a path rather than a Wait state (TimestampPath) before parking again: each
 * wake-up then costs three transitions (the wait, the check, the choice) instead of four, and the
 * token stays parked the whole time, so a reply resumes the workflow at once rather than when the
 * Wait ends. The timeout counts from when the wait task starts, just after the check, and the
 * seconds are rounded up: the wait never wakes before what it waits for. Each wait task is given
 * what its check worked the timeout out from (`stamp`, the meeting time, the follow-up's `dueAt`)
 * and, once parked, resumes at once when that changed in between (a change then found no token).
 *
 * The action follow-up sleeps the same way (AwaitFollowUp, shared/cycle/follow-up-phase.ts): until
 * the next reminder, notice or escalation of any open action may go out, at most a week, woken by a
 * change to an action or a new programme version (shared/actions/follow-up-wake.ts), instead of a
 * Wait that looked again every day.
 * Any other error is recorded on the cycle and reported to the ISMS manager by RecordFailure.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** The functions the workflow invokes, by registry id. */
export const workflowFunctionIds = [
  'open-cycle',
  'request-inputs',
  'check-inputs',
  'await-inputs',
  'compile-package',
  'distribute-package',
  'request-minutes',
  'await-minutes',
  'await-meeting',
  'check-minutes',
  'check-approval',
  'await-approval',
  'record-outcomes',
  'follow-up-actions',
  'await-follow-up',
  'close-cycle',
  'record-failure',
  'anchor-chain',
] as const;
export type WorkflowFunctionId = (typeof workflowFunctionIds)[number];

/**
 * Where each wait for people reads its timeout: the seconds its Check* task returned (its ResultPath
 * plus `.sleepSeconds`, shared/cycle/wake-up.ts).
 */
export const WAKE_UP_PATHS = {
  AwaitInputs: '$.inputs.sleepSeconds',
  AwaitMinutes: '$.minutes.sleepSeconds',
  AwaitPackageApproval: '$.approval.sleepSeconds',
  AwaitMinutesApproval: '$.approval.sleepSeconds',
  // RequestMinutes returns the refreshed cycle view, with the seconds until the meeting.
  AwaitMeeting: '$.cycle.sleepSeconds',
  AwaitFollowUp: '$.followUp.sleepSeconds',
} as const;

/** Errors worth retrying: Lambda's own transient failures and our optimistic-lock loser. */
const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'ConcurrentUpdate',
  'ChainConflict',
  // The outbox: another attempt holds a send lease (60 s), or SES is briefly unavailable.
  'SendInProgress',
  'MailServiceUnavailable',
];

export function buildReviewCycleDefinition(
  scope: Construct,
  fns: Readonly<Record<WorkflowFunctionId, IFunction>>,
): sfn.IChainable {
  const cycleId = sfn.JsonPath.stringAt('$.cycle.cycleId');

  const withRetry = <T extends sfn.TaskStateBase>(task: T): T => {
    task.addRetry({
      errors: TRANSIENT_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.minutes(2),
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  };

  /** A task that runs a phase and returns the refreshed cycle view into $.cycle (or elsewhere). */
  const step = (id: string, fn: WorkflowFunctionId, resultPath: string | null, comment: string) =>
    withRetry(
      new tasks.LambdaInvoke(scope, id, {
        comment,
        lambdaFunction: fns[fn],
        payload: sfn.TaskInput.fromObject({ cycleId }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: resultPath ?? sfn.JsonPath.DISCARD,
      }),
    );

  /**
   * A wait for people: the handler parks the token; its timeout is read from `WAKE_UP_PATHS[id]`, after
   * which `onDue` runs. The timeout Catch is added before the catch-all, because the first matching
   * Catch wins. `extra`: more of the payload than the cycle id and the token.
   */
  const waitForPeople = (
    id: keyof typeof WAKE_UP_PATHS,
    fn: WorkflowFunctionId,
    onDue: sfn.IChainable,
    comment: string,
    extra: Record<string, unknown> = {},
  ) => {
    const task = withRetry(
      new tasks.LambdaInvoke(scope, id, {
        comment,
        lambdaFunction: fns[fn],
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ cycleId, ...extra, taskToken: sfn.JsonPath.taskToken }),
        retryOnServiceExceptions: false,
        taskTimeout: sfn.Timeout.at(WAKE_UP_PATHS[id]),
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    task.addCatch(onDue, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    return task;
  };

  /** Signs the chain head and writes it as the anchor of `milestone` (once; a retry writes nothing). */
  const anchor = (id: string, milestone: string, comment: string) =>
    withRetry(
      new tasks.LambdaInvoke(scope, id, {
        comment,
        lambdaFunction: fns['anchor-chain'],
        payload: sfn.TaskInput.fromObject({ cycleId, milestone }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );

  /**
   * An approval by reply (shared/cycle/approvals.ts): Check<id> asks, reminds or escalates and says
   * whether the latest version is approved; Await<id> parks the token until an answer or the next
   * reminder falls due.
   * Returns the check (the entry) and the choice's `approved` branch to attach.
   */
  const approval = (
    id: 'PackageApproval' | 'MinutesApproval',
    subject: 'package' | 'minutes',
    who: string,
  ) => {
    const check = withRetry(
      new tasks.LambdaInvoke(scope, `Check${id}`, {
        comment: `Ask ${who} to approve the ${subject} (once per version); send the reminder or escalation due.`,
        lambdaFunction: fns['check-approval'],
        payload: sfn.TaskInput.fromObject({ cycleId, subject }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.approval',
      }),
    );
    const wait = withRetry(
      new tasks.LambdaInvoke(scope, `Await${id}`, {
        comment: `Park the task token until ${who} answers, or the next reminder falls due.`,
        lambdaFunction: fns['await-approval'],
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          cycleId,
          subject,
          // What the timeout was worked out for: the park resumes at once if the meeting moved since.
          stamp: sfn.JsonPath.stringAt('$.approval.stamp'),
          taskToken: sfn.JsonPath.taskToken,
        }),
        retryOnServiceExceptions: false,
        taskTimeout: sfn.Timeout.at(WAKE_UP_PATHS[`Await${id}`]),
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    wait.addCatch(check, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    wait.next(check);
    const approved = new sfn.Choice(scope, `${id}Given?`);
    return { check, wait, approved };
  };

  // Failure path: record on the cycle, tell the ISMS manager, fail the execution.
  const recordFailure = withRetry(
    new tasks.LambdaInvoke(scope, 'RecordFailure', {
      comment: 'Record the failure on the cycle and notify the ISMS manager.',
      lambdaFunction: fns['record-failure'],
      payload: sfn.TaskInput.fromObject({
        cycleId: sfn.JsonPath.stringAt('$.cycle.cycleId'),
        input: sfn.JsonPath.objectAt('$$.Execution.Input'),
        error: sfn.JsonPath.objectAt('$.failure'),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: sfn.JsonPath.DISCARD,
    }),
  );
  const failed = new sfn.Fail(scope, 'Failed', {
    errorPath: '$.failure.Error',
    causePath: '$.failure.Cause',
  });
  recordFailure.next(failed);
  const onError = <T extends sfn.TaskStateBase>(task: T): T => {
    task.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    return task;
  };

  // The open step has no cycle yet: it takes the execution input (type, meeting date, ...).
  const openCycle = withRetry(
    new tasks.LambdaInvoke(scope, 'OpenCycle', {
      comment:
        'Create the cycle and its input requests, snapshot the programme, carry open actions into input (a).',
      lambdaFunction: fns['open-cycle'],
      payload: sfn.TaskInput.fromObject({
        executionName: sfn.JsonPath.executionName,
        request: sfn.JsonPath.entirePayload,
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.cycle',
    }),
  );
  // Without a cycle id there is nothing to record a failure on: fail with the error as it is.
  openCycle.addCatch(
    new sfn.Fail(scope, 'CouldNotOpen', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' }),
    {
      errors: [sfn.Errors.ALL],
      resultPath: '$.failure',
    },
  );

  const requestInputs = onError(
    step(
      'RequestInputs',
      'request-inputs',
      '$.cycle',
      'Email each input owner one request for their inputs.',
    ),
  );
  const checkInputs = onError(
    step(
      'CheckInputs',
      'check-inputs',
      '$.inputs',
      'Send due reminders and escalations; at the deadline mark missing inputs not provided.',
    ),
  );
  const awaitInputs = onError(
    waitForPeople(
      'AwaitInputs',
      'await-inputs',
      checkInputs,
      'Park the task token until the last input arrives, or the next reminder, escalation or the deadline falls due.',
      { stamp: sfn.JsonPath.stringAt('$.inputs.stamp') },
    ),
  );

  const compilePackage = onError(
    step(
      'CompilePackage',
      'compile-package',
      '$.cycle',
      'Build, hash and freeze the review package from the recorded inputs.',
    ),
  );
  const waitForDistribution = new sfn.Wait(scope, 'WaitForDistribution', {
    comment: 'Until the configured number of days before the meeting.',
    time: sfn.WaitTime.timestampPath('$.cycle.packageSendAt'),
  });
  const distribute = onError(
    step(
      'Distribute',
      'distribute-package',
      '$.cycle',
      'Email the package and the calendar invitation to every attendee.',
    ),
  );
  const requestMinutes = onError(
    step(
      'RequestMinutes',
      'request-minutes',
      '$.cycle',
      'Once the meeting has begun, ask the ISMS manager for the minutes; before, say how long to wait.',
    ),
  );
  const awaitMeeting = onError(
    waitForPeople(
      'AwaitMeeting',
      'await-meeting',
      requestMinutes,
      'Park the task token until the meeting; a moved meeting wakes it to look again.',
      // The time the timeout was worked out for: the park resumes at once if the meeting moved since.
      { meetingAt: sfn.JsonPath.stringAt('$.cycle.meetingAt') },
    ),
  );
  const checkMinutes = onError(
    step('CheckMinutes', 'check-minutes', '$.minutes', 'Remind the ISMS manager; escalate to the chair.'),
  );
  const awaitMinutes = onError(
    waitForPeople(
      'AwaitMinutes',
      'await-minutes',
      checkMinutes,
      'Park the task token until valid minutes are accepted, or the next reminder falls due.',
      { stamp: sfn.JsonPath.stringAt('$.minutes.stamp') },
    ),
  );

  const recordOutcomes = onError(
    step(
      'RecordOutcomes',
      'record-outcomes',
      '$.cycle',
      'Create the actions from the accepted minutes and distribute the minutes.',
    ),
  );
  const followUp = onError(
    step(
      'FollowUp',
      'follow-up-actions',
      '$.followUp',
      'Remind action owners, escalate overdue actions up the ladder.',
    ),
  );
  const awaitFollowUp = onError(
    waitForPeople(
      'AwaitFollowUp',
      'await-follow-up',
      followUp,
      'Park the task token until the next follow-up step falls due, or an action or the programme changes.',
      // What FollowUp found falls due next: the park resumes at once if something changed since.
      { dueAt: sfn.JsonPath.stringAt('$.followUp.dueAt') },
    ),
  );
  const closeCycle = onError(
    step('CloseCycle', 'close-cycle', '$.cycle', 'Seal the cycle: evidence complete, chain anchored.'),
  );
  const closed = new sfn.Succeed(scope, 'Closed');

  const anchorOpened = onError(
    anchor('AnchorOpened', 'cycle-opened', 'Anchor the chain head of the opened cycle (signed).'),
  );
  const anchorPackage = onError(
    anchor('AnchorPackage', 'package-distributed', 'Anchor the chain head once the package is distributed.'),
  );
  const anchorMinutes = onError(
    anchor('AnchorMinutes', 'minutes-accepted', 'Anchor the chain head once the minutes are accepted.'),
  );
  const anchorClosed = onError(
    anchor('AnchorClosed', 'cycle-closed', 'Anchor the sealed chain head of the closed cycle.'),
  );

  const packageApproval = approval('PackageApproval', 'package', 'the ISMS manager');
  const minutesApproval = approval('MinutesApproval', 'minutes', 'the chair');
  onError(packageApproval.check);
  onError(packageApproval.wait);
  onError(minutesApproval.check);
  onError(minutesApproval.wait);
  const packageStillApproved = new sfn.Choice(scope, 'PackageSent?', {
    comment: 'A package whose inputs changed since it was built (a late input) goes back to approval.',
  });

  const inputsDecision = new sfn.Choice(scope, 'InputsComplete?')
    .when(sfn.Condition.booleanEquals('$.inputs.proceed', true), compilePackage)
    .otherwise(awaitInputs);
  const meetingDecision = new sfn.Choice(scope, 'MeetingHeld?', {
    comment: 'Before the meeting (or its new time, once moved) the workflow waits for it.',
  })
    .when(sfn.Condition.booleanEquals('$.cycle.meetingHeld', true), checkMinutes)
    .otherwise(awaitMeeting);
  const minutesDecision = new sfn.Choice(scope, 'MinutesAccepted?')
    .when(sfn.Condition.booleanEquals('$.minutes.accepted', true), minutesApproval.check)
    .otherwise(awaitMinutes);
  const followUpDecision = new sfn.Choice(scope, 'AllActionsClosed?')
    .when(sfn.Condition.booleanEquals('$.followUp.allClosed', true), closeCycle)
    .otherwise(awaitFollowUp);

  openCycle.next(anchorOpened).next(requestInputs).next(checkInputs).next(inputsDecision);
  awaitInputs.next(checkInputs);
  compilePackage.next(packageApproval.check).next(
    packageApproval.approved
      // Only CompilePackage builds: the check and the distribution read the frozen files.
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.approval.rebuild'),
          sfn.Condition.booleanEquals('$.approval.rebuild', true),
        ),
        compilePackage,
      )
      .when(sfn.Condition.booleanEquals('$.approval.approved', true), waitForDistribution)
      .otherwise(packageApproval.wait),
  );
  waitForDistribution
    .next(distribute)
    .next(
      packageStillApproved
        .when(sfn.Condition.booleanEquals('$.cycle.packageApproved', false), packageApproval.check)
        .otherwise(anchorPackage),
    );
  anchorPackage.next(requestMinutes).next(meetingDecision);
  awaitMeeting.next(requestMinutes);
  checkMinutes.next(minutesDecision);
  awaitMinutes.next(checkMinutes);
  minutesApproval.check.next(
    minutesApproval.approved
      .when(sfn.Condition.booleanEquals('$.approval.approved', true), anchorMinutes)
      .otherwise(minutesApproval.wait),
  );
  anchorMinutes.next(recordOutcomes);
  recordOutcomes.next(followUp).next(followUpDecision);
  awaitFollowUp.next(followUp);
  closeCycle.next(anchorClosed).next(closed);
  return openCycle;
}
