/**
 * Errors of the local Step Functions runtime. The names are the AWS Step Functions API error codes
 * where one exists, so the HTTP endpoint can hand them to `@aws-sdk/client-sfn` unchanged and the SDK
 * throws its own named exception (TaskDoesNotExist, ExecutionAlreadyExists, ...).
 */

export class ExecutionAlreadyExists extends Error {
  override name = 'ExecutionAlreadyExists' as const;
}

export class ExecutionDoesNotExist extends Error {
  override name = 'ExecutionDoesNotExist' as const;
}

export class StateMachineDoesNotExist extends Error {
  override name = 'StateMachineDoesNotExist' as const;
}

export class TaskDoesNotExist extends Error {
  override name = 'TaskDoesNotExist' as const;
}

export class InvalidToken extends Error {
  override name = 'InvalidToken' as const;
}

export class InvalidOutput extends Error {
  override name = 'InvalidOutput' as const;
}

export class InvalidName extends Error {
  override name = 'InvalidName' as const;
}

export class InvalidArn extends Error {
  override name = 'InvalidArn' as const;
}

export class InvalidExecutionInput extends Error {
  override name = 'InvalidExecutionInput' as const;
}

export class ValidationException extends Error {
  override name = 'ValidationException' as const;
}

/** The execution is RUNNING in the store but not in this runtime (call resumeAll first). */
export class ExecutionNotRunningHere extends Error {
  override name = 'ExecutionNotRunningHere' as const;
}

/** The template has no (or more than one) state machine, or a definition we cannot resolve. */
export class TemplateDefinitionError extends Error {
  override name = 'TemplateDefinitionError' as const;
}

/** The definition uses something this runtime cannot run faithfully (a non-Lambda integration, ...). */
export class UnsupportedDefinition extends Error {
  override name = 'UnsupportedDefinition' as const;
}

/** The runtime was closed or crashed; it accepts no more calls. */
export class RuntimeClosed extends Error {
  override name = 'RuntimeClosed' as const;
}

/** The installed aws-local-stepfunctions does not behave as this runtime relies on (after an upgrade). */
export class LibraryIncompatible extends Error {
  override name = 'LibraryIncompatible' as const;
}
