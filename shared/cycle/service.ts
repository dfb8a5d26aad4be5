/**
 * The review cycle, phase by phase: what each state of the workflow does. Every function takes the
 * cycle id (the workflow passes nothing else), reads what it needs, and is idempotent: run twice, by
 * a retry or after a crash, it sends nothing twice and writes nothing twice.
 *
 * The view each phase returns ({ cycleId, inputsDueAt, packageSendAt, meetingAt }) is what the
 * state machine's Wait states read, refreshed from the stored cycle each time.
 *
 * This module is the entry the handlers import; each phase lives in its own file:
 * open-phase.ts, inputs-phase.ts (and await-people.ts), distribution-phase.ts (the package),
 * minutes-phase.ts (and await-meeting.ts), follow-up-phase.ts and close-phase.ts, on what they share
 * in cycle-state.ts.
 */
export {
  CycleNotFound,
  InvalidStartRequest,
  ProgrammeNotApplied,
  viewOf,
  type CycleView,
} from './cycle-state.ts';
export { OpenCycleRequest, openCycle, planDates } from './open-phase.ts';
export { allInputsAnswered, checkInputs, requestInputs } from './inputs-phase.ts';
export { awaitPeople, resumeWaiting, type WaitPurpose } from './await-people.ts';
export { awaitMeeting } from './await-meeting.ts';
export { APPROVAL_SUBJECTS, checkApproval, type ApprovalSubject } from './approvals.ts';
export { attendees, compilePackage, distributePackage } from './distribution-phase.ts';
export {
  MINUTES_ESCALATED_EVERY_DAYS,
  MINUTES_REMINDERS_BEFORE_CHAIR,
  MINUTES_REMINDER_EVERY_DAYS,
  checkMinutes,
  minutesReminderDue,
  recordOutcomes,
  requestMinutes,
} from './minutes-phase.ts';
export { awaitFollowUp, followUpActions, ladderPolicyOf } from './follow-up-phase.ts';
export { FailureInput, closeCycle, recordFailure } from './close-phase.ts';
