/**
 * An error an AWS API answers with: its `name` becomes `__type` and `x-amzn-ErrorType` on the wire
 * (local/aws-endpoint.ts), so SDKs and the CLI raise the same exception class they raise on AWS.
 * Any error carrying a string `name` and a numeric `statusCode` is treated the same way, which is
 * how the Step Functions emulator's own `AwsServiceError` passes through without a shared import.
 */
export class AwsError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export function isAwsError(error: unknown): error is { name: string; message: string; statusCode: number } {
  return (
    error instanceof Error &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    typeof error.name === 'string'
  );
}
