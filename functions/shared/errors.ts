/**
 * The typed errors a handler may throw. One place (http.ts `toHttpResponse`) maps them to HTTP;
 * below 500 the message is shown to the caller, anything else becomes a generic 500.
 */
export type FieldIssue = { field: string; message: string };

export abstract class AppError extends Error {
  abstract readonly statusCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly statusCode = 400;
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid request: ${issues.map((i) => i.field).join(', ')}`);
  }
}
export class UnauthorizedError extends AppError {
  readonly statusCode = 401;
}
export class ForbiddenError extends AppError {
  readonly statusCode = 403;
}
export class NotFoundError extends AppError {
  readonly statusCode = 404;
}
export class MethodNotAllowedError extends AppError {
  readonly statusCode = 405;
}
export class ConflictError extends AppError {
  readonly statusCode = 409;
}
