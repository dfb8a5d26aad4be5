/**
 * The formats people fill in when they answer by email, rendered into our emails and parsed back
 * by the same few files, so that what we ask for and what we accept cannot drift apart. This entry
 * gathers them: input-reply.ts (reading input blocks), input-template.ts (rendering them),
 * action-command.ts (the commands, rendered and read), reply-text.ts (line handling they share).
 *
 * (a) Input submission: one block per input key.
 *
 *     [input d1] Nonconformities and corrective actions
 *     period: 2026-07-01 to 2026-09-30
 *     summary: free text, may continue on following lines
 *     metric: Open nonconformities = 4
 *     metric: Patch compliance = 97.5 %
 *     objective: Phishing click rate | target 5 % | actual 7.5 % | status off track
 *     decision needed: optional text for management
 *     options: buy the tool; train staff; accept the risk   (or one `option:` line each)
 *     recommendation: train staff
 *     cost: 3 person-days        (also `effort:`)
 *     risk if not decided: click rate stays above target
 *     [end]
 *
 *   or `nothing to report: <reason>` instead of summary and metrics. The options, recommendation,
 *   cost and risk need `decision needed:`. An objective is stored as a metric whose value is the
 *   actual result and whose target is the target. Text outside blocks (greetings,
 *   signatures) is ignored. Field names are read without regard to case, extra or non-breaking
 *   spaces, smart quotes or `*bold*` markers; a line that starts with no field name continues the
 *   field above it (mail clients wrap long lines). Lines starting with `>` are quoted text and
 *   never part of an answer.
 *
 * (b) Action commands, on the first line of a reply (after an optional greeting line):
 *     DONE <evidence> | PROGRESS <note> | EXTEND <yyyy-mm-dd> <reason>, and for the chair
 *     APPROVE [comment] | REFUSE <reason>, and for the effectiveness check of a corrective action
 *     PASS <rationale> | FAIL <finding>. The command's text runs to the first blank line.
 */
export { InvalidTemplateInput } from './reply-text.ts';
export {
  METRIC_EXAMPLE,
  OBJECTIVE_EXAMPLE,
  OBJECTIVE_STATUSES,
  ParsedInput,
  parseInputReply,
  parseMetric,
  parseObjective,
  type ExpectedInput,
  type InputReply,
  type InputReplyProblem,
} from './input-reply.ts';
export {
  INPUT_TEMPLATE_HELP,
  renderInputAnswer,
  renderInputBlocks,
  renderInputTemplate,
  type TemplateInput,
} from './input-template.ts';
export {
  ACTION_COMMAND_KINDS,
  ActionCommand,
  CHAIR_COMMANDS,
  CHECK_COMMANDS,
  CONFIRM_COMMANDS,
  MANAGEMENT_COMMANDS,
  MINUTES_APPROVAL_COMMANDS,
  OWNER_COMMANDS,
  PACKAGE_APPROVAL_COMMANDS,
  parseActionCommand,
  renderActionCommandHelp,
  renderActionCommandLines,
  type ActionCommandKind,
  type ActionCommandResult,
} from './action-command.ts';
