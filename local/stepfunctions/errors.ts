/**
 * An error the Step Functions API answers with. `name` is AWS's error code (the `__type` of the
 * JSON 1.0 error body, e.g. `ExecutionDoesNotExist`), so SDK clients raise the same exception class
 * against the local endpoint as against AWS.
 */
export class AwsServiceError extends Error {
  override readonly name: string;
  readonly statusCode: number;

  constructor(name: string, message: string, statusCode = 400) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

/** The error codes this service throws, spelled as AWS spells them. */
export const SFN_ERRORS = {
  executionAlreadyExists: 'ExecutionAlreadyExists',
  executionDoesNotExist: 'ExecutionDoesNotExist',
  invalidArn: 'InvalidArn',
  invalidExecutionInput: 'InvalidExecutionInput',
  invalidName: 'InvalidName',
  invalidOutput: 'InvalidOutput',
  invalidToken: 'InvalidToken',
  stateMachineDoesNotExist: 'StateMachineDoesNotExist',
  taskTimedOut: 'TaskTimedOut',
  unknownOperation: 'UnknownOperationException',
  validation: 'ValidationException',
} as const;
