import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod';
import type { HistoryEvent } from './history';
import { nextTurn } from './timers';

/**
 * Executions on disk, one JSON file per execution record and one per history:
 *   <dataDir>/executions/<state machine>/<execution>.json
 *   <dataDir>/histories/<state machine>/<execution>.json
 * Names are safe as path segments: AWS forbids `/`, `\` and control characters in both.
 * Every change is written, coalesced per event-loop turn, to a temporary file renamed over the
 * old one, so a file on disk is always a whole version, never half of one.
 */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

const executionRecord = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  stateMachineName: z.string(),
  name: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  /** ISO 8601. */
  startDate: z.string(),
  stopDate: z.string().optional(),
  /** JSON text, as StartExecution received it and DescribeExecution returns it. */
  input: z.string(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});
export type ExecutionRecord = z.infer<typeof executionRecord>;

type Pending = { file: string; content: () => string };

export class ExecutionStore {
  readonly #dataDir: string;
  readonly #pending = new Map<string, Pending>();
  #draining: Promise<void> | undefined;
  #writeError: unknown;
  #tmpCounter = 0;

  constructor(dataDir: string) {
    this.#dataDir = path.resolve(dataDir);
  }

  /** Every record on disk; run once at start, before anything is written. */
  loadRecords(): ExecutionRecord[] {
    const root = path.join(this.#dataDir, 'executions');
    return listJsonFiles(root).map((file) => {
      const parsed = executionRecord.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success)
        throw new Error(`${file} is not an execution record: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
  }

  readHistorySync(record: ExecutionRecord): HistoryEvent[] {
    try {
      return JSON.parse(readFileSync(this.#historyFile(record), 'utf8')) as HistoryEvent[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** The stored history, after every pending write has landed. */
  async readHistory(record: ExecutionRecord): Promise<HistoryEvent[]> {
    await this.flush();
    try {
      return JSON.parse(await readFile(this.#historyFile(record), 'utf8')) as HistoryEvent[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Writes at once, for the start-up pass that closes executions a previous process left open. */
  writeSync(record: ExecutionRecord, events: HistoryEvent[]): void {
    this.#writeFileSync(this.#recordFile(record), JSON.stringify(record, null, 2));
    this.#writeFileSync(this.#historyFile(record), JSON.stringify(events));
  }

  saveRecord(record: ExecutionRecord): void {
    this.#schedule(this.#recordFile(record), () => JSON.stringify(record, null, 2));
  }

  /** `events` is serialized when the write happens, so a burst of events costs one write. */
  saveHistory(record: ExecutionRecord, events: HistoryEvent[]): void {
    this.#schedule(this.#historyFile(record), () => JSON.stringify(events));
  }

  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
    if (this.#writeError) {
      const error = this.#writeError;
      this.#writeError = undefined;
      throw error;
    }
  }

  #recordFile(record: ExecutionRecord): string {
    return path.join(this.#dataDir, 'executions', record.stateMachineName, `${record.name}.json`);
  }

  #historyFile(record: ExecutionRecord): string {
    return path.join(this.#dataDir, 'histories', record.stateMachineName, `${record.name}.json`);
  }

  #schedule(file: string, content: () => string): void {
    this.#pending.set(file, { file, content });
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    await nextTurn();
    try {
      while (this.#pending.size > 0) {
        const batch = [...this.#pending.values()];
        this.#pending.clear();
        await Promise.all(batch.map((write) => this.#writeFile(write.file, write.content())));
      }
    } catch (error) {
      // Kept for flush() to report; logging here too, because a write may have no flush after it.
      this.#writeError = error;
      console.error('local Step Functions: could not persist an execution', error);
    } finally {
      this.#draining = undefined;
    }
  }

  async #writeFile(file: string, content: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = this.#tmpName(file);
    await writeFile(tmp, content);
    await rename(tmp, file);
  }

  #writeFileSync(file: string, content: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = this.#tmpName(file);
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  }

  #tmpName(file: string): string {
    this.#tmpCounter += 1;
    return `${file}.${process.pid}.${this.#tmpCounter}.tmp`;
  }
}

function listJsonFiles(root: string): string[] {
  let machines: string[];
  try {
    machines = readdirSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return machines.flatMap((machine) =>
    readdirSync(path.join(root, machine))
      .filter((file) => file.endsWith('.json'))
      .map((file) => path.join(root, machine, file)),
  );
}
