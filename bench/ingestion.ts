import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DetailTypes } from '../functions/shared/events';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local';
import { startDynamoDbWithTable } from '../local/dynamodb-with-table';
import { envelope } from '../tests/support/events';
import { inParallel } from '../tests/support/pool';

const CUSTOMERS = 300;
const CONCURRENCY = 16;
/** Handlers log only errors and emit no metrics or traces during a bench. */
export const QUIET_POWERTOOLS = {
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
};
const NOW = new Date('2026-11-20T00:00:00Z');

type Units = { write: number; read: number };

/**
 * Ingestion on DynamoDB Local: events per second through the real ingestion path, the raw
 * PutItem rate of the same DynamoDB Local in the same run (so the ratio says what our path costs
 * on top of the database), and write/read units per event by type from ReturnConsumedCapacity.
 */
export async function benchIngestion() {
  const { local, tableName, handlerEnv } = await startDynamoDbWithTable('rapport-bench');
  try {
    const raw = new DynamoDBClient({
      endpoint: local.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    Object.assign(process.env, handlerEnv, QUIET_POWERTOOLS);
    const { ingest } = await import('../functions/customer-file/ingest');
    const { db } = await import('../functions/shared/clients/dynamodb');

    // Units are attributed to the ingest call that caused them, also with many in flight.
    const current = new AsyncLocalStorage<Units>();
    const byCommand = new Map<string, Units & { calls: number }>();
    db().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        const eventUnits = current.getStore();
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        const commandUnits = byCommand.get(context.commandName ?? 'unknown') ?? {
          calls: 0,
          write: 0,
          read: 0,
        };
        commandUnits.calls++;
        byCommand.set(context.commandName ?? 'unknown', commandUnits);
        for (const c of [consumed].flat() as {
          CapacityUnits?: number;
          ReadCapacityUnits?: number;
          WriteCapacityUnits?: number;
        }[]) {
          if (!eventUnits || !c) continue;
          for (const units of [eventUnits, commandUnits]) {
            units.write += c.WriteCapacityUnits ?? 0;
            units.read += c.ReadCapacityUnits ?? 0;
            // DynamoDB Local reports only CapacityUnits; a read-only call is a read, anything else a write.
            if (c.WriteCapacityUnits === undefined && c.ReadCapacityUnits === undefined) {
              if (isRead(args)) units.read += c.CapacityUnits ?? 0;
              else units.write += c.CapacityUnits ?? 0;
            }
          }
        }
        return result;
      },
      { step: 'initialize', name: 'benchCapacity' },
    );

    const events = stream();
    const byType = new Map<string, { n: number; write: number; read: number }>();
    const started = performance.now();
    await inParallel(
      events.map((e) => async () => {
        const units: Units = { write: 0, read: 0 };
        await current.run(units, () => ingest(e, NOW));
        const row = byType.get(e['detail-type']) ?? { n: 0, write: 0, read: 0 };
        row.n++;
        row.write += units.write;
        row.read += units.read;
        byType.set(e['detail-type'], row);
      }),
      CONCURRENCY,
    );
    const ingestSeconds = (performance.now() - started) / 1000;

    const putStarted = performance.now();
    await inParallel(
      events.map(
        (e, i) => () =>
          raw.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { pk: { S: `RAW#${i}` }, sk: { S: 'RAW' }, body: { S: JSON.stringify(e.detail) } },
            }),
          ),
      ),
      CONCURRENCY,
    );
    const putSeconds = (performance.now() - putStarted) / 1000;
    raw.destroy();

    const eventsPerSecond = events.length / ingestSeconds;
    const rawPutsPerSecond = events.length / putSeconds;
    const perType = Object.fromEntries(
      [...byType.entries()].map(([type, r]) => [
        type,
        { events: r.n, writeUnits: round(r.write / r.n), readUnits: round(r.read / r.n) },
      ]),
    );
    const all = [...byType.values()].reduce((a, r) => ({ n: a.n + r.n, write: a.write + r.write }), {
      n: 0,
      write: 0,
    });
    const statementAndInteraction = ['Statement Issued', 'Interaction Recorded']
      .map((t) => byType.get(t))
      .filter((r) => r !== undefined);
    return {
      events: events.length,
      concurrency: CONCURRENCY,
      eventsPerSecond: round(eventsPerSecond),
      rawPutsPerSecond: round(rawPutsPerSecond),
      ratioToRawPut: round(eventsPerSecond / rawPutsPerSecond),
      writeUnitsPerEvent: round(all.write / all.n),
      writeUnitsPerStatementOrInteraction: round(
        statementAndInteraction.reduce((s, r) => s + r.write, 0) /
          statementAndInteraction.reduce((s, r) => s + r.n, 0),
      ),
      perType,
      perCommand: Object.fromEntries(
        [...byCommand.entries()].map(([name, u]) => [
          name,
          { calls: u.calls, writeUnits: round(u.write), readUnits: round(u.read) },
        ]),
      ),
    };
  } finally {
    await local.stop();
  }
}

function isRead(args: unknown): boolean {
  const input = (args as { input: Record<string, unknown> }).input;
  return (
    'KeyConditionExpression' in input ||
    ('Key' in input &&
      !('UpdateExpression' in input) &&
      !('Item' in input) &&
      !('ConditionExpression' in input)) ||
    ('RequestItems' in input && Object.values(input.RequestItems as object).some((r) => 'Keys' in r))
  );
}

/** A year of a bank's traffic per customer: an account, 12 statements, interactions, a complaint, a fee, preferences. */
function stream() {
  const out: ReturnType<typeof envelope>[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customer = { customerId: `bench-${c}`, email: `bench${c}@example.com` };
    const base = (n: string, at: string) => ({
      eventId: `b${c}-${n}`,
      occurredAt: at,
      channel: 'billing',
      customer,
    });
    out.push(
      envelope(DetailTypes.AccountOpened, {
        ...base('open', '2025-11-01T09:00:00Z'),
        productLine: 'credit_card',
        accountId: `bench-a${c}`,
      }),
    );
    for (let m = 0; m < 12; m++) {
      const periodEnd = new Date(Date.UTC(2025, 11 + m, 28)).toISOString().slice(0, 10);
      out.push(
        envelope(DetailTypes.StatementIssued, {
          ...base(`s${m}`, `${periodEnd}T12:00:00Z`),
          productLine: 'credit_card',
          accountId: `bench-a${c}`,
          periodEnd,
          balance: 1000 + m * 10,
          revenue: 40 + (c % 50),
          costToServe: 12,
          daysLate: (c + m) % 9 === 0 ? 5 : 0,
        }),
      );
    }
    for (let i = 0; i < 4; i++) {
      out.push(
        envelope(DetailTypes.InteractionRecorded, {
          ...base(`i${i}`, `2026-0${i + 5}-10T10:00:00Z`),
          channel: 'web',
          interactionId: `b${c}-i${i}`,
          kind: 'web_session',
          topic: i === 3 && c % 10 === 0 ? 'competitor offer' : 'balance',
          sentiment: 0.2,
        }),
      );
    }
    out.push(
      envelope(DetailTypes.ComplaintLogged, {
        ...base('k', '2026-10-01T10:00:00Z'),
        channel: 'call_center',
        complaintId: `b${c}-k`,
        category: 'fees',
        severity: c % 3 === 0 ? 'high' : 'low',
      }),
    );
    out.push(
      envelope(DetailTypes.FeeAssessed, {
        ...base('f', '2026-10-05T10:00:00Z'),
        feeId: `b${c}-f`,
        productLine: 'credit_card',
        accountId: `bench-a${c}`,
        feeType: 'late_payment',
        amount: 29,
      }),
    );
    out.push(
      envelope(DetailTypes.ContactPreferencesChanged, {
        ...base('p', '2026-10-06T10:00:00Z'),
        channel: 'web',
        preferences: [{ productLine: '*', channels: ['email'] }],
      }),
    );
  }
  // A bank's stream interleaves customers in time order; 20 events of one customer back to back
  // with 16 in flight would measure contention on one profile instead.
  return out.sort((a, b) =>
    String((a.detail as { occurredAt: string }).occurredAt).localeCompare(
      String((b.detail as { occurredAt: string }).occurredAt),
    ),
  );
}

const round = (n: number) => Math.round(n * 100) / 100;
