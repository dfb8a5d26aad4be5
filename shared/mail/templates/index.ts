/**
 * Every notice the system sends, one module each: a pure function of plain data returning
 * { subject, text, html }. The text part stands on its own; the HTML part escapes all text.
 */
export type { CycleRef, MailContext, Person, RenderedMail } from './document.ts';
export { TemplateDataError } from './format.ts';
export {
  inputRequest,
  type InputRequestData,
  type RequestedInput,
  type PreviousAnswer,
} from './input-request.ts';
export { inputReminder, type InputReminderData } from './input-reminder.ts';
export { inputEscalation, type InputEscalationData, type MissingInput } from './input-escalation.ts';
export { minutesRequest, MINUTES_MUST_RECORD, type MinutesRequestData } from './minutes-request.ts';
export { minutesForm, type MinutesFormData } from './minutes-form.ts';
export {
  packageDistribution,
  type PackageDistributionData,
  type PackageInput,
  type EarlierAction,
  type DecisionItem,
} from './package-distribution.ts';
export { minutesDistribution, type MinutesDistributionData, type Verdict } from './minutes-distribution.ts';
export type { ActionRef } from './action-common.ts';
export { actionReminder, type ActionReminderData } from './action-reminder.ts';
export { actionOverdue, type ActionOverdueData } from './action-overdue.ts';
export { actionEscalation, type ActionEscalationData, type EscalatedAction } from './action-escalation.ts';
export { extensionRequest, type ExtensionRequestData } from './extension-request.ts';
export { extensionDecision, type ExtensionDecisionData } from './extension-decision.ts';
export { effectivenessCheck, type EffectivenessCheckData } from './effectiveness-check.ts';
export { actionReopened, type ActionReopenedData } from './action-reopened.ts';
export { closureConfirmation, type ClosureConfirmationData } from './closure-confirmation.ts';
export { closureReopened, type ClosureReopenedData } from './closure-reopened.ts';
export { managementDecision, type ManagementDecisionData } from './management-decision.ts';
export { workflowFailure, type WorkflowFailureData } from './workflow-failure.ts';
export { ingestConfirmation, type IngestConfirmationData } from './ingest-confirmation.ts';
export { ingestRejection, type IngestRejectionData, type IngestProblem } from './ingest-rejection.ts';
