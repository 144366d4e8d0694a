import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Deliveries that failed for good, kept on disk under the data dir.
 *
 * On AWS such a delivery lands in an SQS dead-letter queue or a Lambda on-failure destination if
 * one is configured, and is dropped otherwise. Locally nothing is dropped without a trace: every
 * exhausted delivery is appended here with the queue or destination AWS would have used (or
 * `null` when AWS would have dropped it), so a developer can see what a broken target lost.
 * Readable with `readDeadLetters()` and `GET /_local/dead-letters` on the API port.
 */

export type DeadLetter = {
  id: string;
  at: string;
} & (
  | {
      /** An EventBridge rule target that still failed after its RetryPolicy. */
      kind: 'event-target';
      ruleName: string;
      ruleArn: string;
      targetId: string;
      targetArn: string;
      /** The SQS queue of the target's DeadLetterConfig, or null: AWS would drop the event. */
      deadLetterQueue: string | null;
      errorCode: string;
      errorMessage: string;
      retryAttempts: number;
      event: unknown;
      input: string | null;
    }
  | {
      /** An asynchronous Lambda invocation that failed on every attempt. */
      kind: 'lambda-async';
      functionName: string;
      functionArn: string;
      /** OnFailure destination (or the function's DeadLetterConfig), or null: AWS would drop it. */
      destination: string | null;
      condition: 'RetriesExhausted' | 'EventAgeExceeded';
      attempts: number;
      requestId: string;
      requestPayload: unknown;
      error: { errorType: string; errorMessage: string };
    }
);

/** A dead letter before it is stored: the list gives it an id and a time. */
export type NewDeadLetter = DeadLetter extends infer D
  ? D extends DeadLetter
    ? Omit<D, 'id' | 'at'>
    : never
  : never;

export class DeadLetterList {
  private readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'dead-letters.jsonl');
  }

  add(letter: NewDeadLetter): DeadLetter {
    const stored = { id: randomUUID(), at: new Date().toISOString(), ...letter } as DeadLetter;
    // One JSON document per line, appended: a crash mid-write loses at most that line.
    appendFileSync(this.file, `${JSON.stringify(stored)}\n`);
    return stored;
  }

  /** Newest first. */
  list(limit = 100): DeadLetter[] {
    return readDeadLetters(path.dirname(this.file)).slice(0, limit);
  }
}

/** The dead letters kept under `dataDir`, newest first; works while the runtime is stopped too. */
export function readDeadLetters(dataDir: string): DeadLetter[] {
  const file = path.join(dataDir, 'dead-letters.jsonl');
  if (!existsSync(file)) return [];
  const letters: DeadLetter[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      letters.push(JSON.parse(line) as DeadLetter);
    } catch {
      // A torn last line from a crash; the rest of the list is still good.
    }
  }
  return letters.reverse();
}
