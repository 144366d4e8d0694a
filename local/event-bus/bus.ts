import { randomUUID } from 'node:crypto';
import { AwsError } from '../aws-error';
import type { DeadLetterList } from '../dead-letters';
import type { IntrinsicResolver, Template } from '../intrinsics';
import { matchesPattern, validatePattern } from './pattern';

/**
 * The local EventBridge: the buses and rules of the synthesized template, PutEvents with AWS's
 * validation, and delivery to rule targets the way EventBridge delivers.
 *
 * - PutEvents validates each entry as EventBridge does and answers per entry; valid entries are
 *   wrapped in the EventBridge envelope and delivered asynchronously, after the call returned.
 * - A rule's EventPattern is checked with `validatePattern` when the runtime starts, so a broken
 *   pattern fails the start instead of silently matching nothing.
 * - A target receives the event, its `Input`, its `InputPath` or its `InputTransformer` output
 *   (see `targetInput` below for the exact rules).
 * - A delivery that fails is retried per the target's RetryPolicy (EventBridge's defaults: 185
 *   attempts within 24 h), on a schedule divided by `retryScale`; then it goes to the dead-letter
 *   list, with the target's DeadLetterConfig queue if it has one.
 * - Lambda targets are invoked asynchronously (Lambda's own retries and destinations apply);
 *   state machine targets get a StartExecution.
 */

export type PutEventsEntry = {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
  TraceHeader?: unknown;
};
export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };
export type PutEventsResult = { FailedEntryCount: number; Entries: PutEventsResultEntry[] };

/** An event as EventBridge delivers it to targets and matches it against patterns. */
export type EventEnvelope = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

/** How the bus reaches targets outside itself; each call throws when the hand-off fails. */
export type BusTargets = {
  /** Lambda's async Invoke: accepted (queued) or thrown. */
  invokeLambdaAsync: (functionArn: string, payload: unknown) => void | Promise<void>;
  startExecution: (stateMachineArn: string, input: string) => Promise<unknown>;
};

export type InputTransformer = { InputPathsMap?: Record<string, string>; InputTemplate: string };

export type RuleTarget = {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  RoleArn?: string;
};

export type Rule = {
  name: string;
  arn: string;
  logicalId: string;
  eventBusName: string;
  description?: string;
  eventPattern?: Record<string, unknown>;
  scheduleExpression?: string;
  state: string;
  targets: RuleTarget[];
};

export type EventBusOptions = {
  template: Template;
  resolver: IntrinsicResolver;
  targets: BusTargets;
  deadLetters: DeadLetterList;
  /** Divides retry delays and event ages: 60 makes EventBridge's 24 h of retries take 24 min. */
  retryScale?: number;
  /** Divides `rate(...)` schedules, like the runtime's --time-scale. */
  timeScale?: number;
  log?: (line: string) => void;
};

/** EventBridge's PutEvents limits (EventBridge API Reference, PutEvents). */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
/** EventBridge retries with exponential back-off; capped at 8 min so 185 attempts span ~24 h. */
const MAX_RETRY_DELAY_SECONDS = 480;
const RECENT_EVENTS = 50;

export class LocalEventBus {
  readonly rules: Rule[];
  readonly buses: { name: string; arn: string }[];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** `rate()` schedules; apart from `timers` because they never finish. */
  private readonly schedules = new Set<NodeJS.Timeout>();
  private readonly recent: { event: EventEnvelope; bus: string; matchedRules: string[] }[] = [];
  private closed = false;

  constructor(private readonly options: EventBusOptions) {
    const { template, resolver } = options;
    const { region, accountId } = resolver;
    this.buses = [{ name: 'default', arn: `arn:aws:events:${region}:${accountId}:event-bus/default` }];
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type === 'AWS::Events::EventBus')
        this.buses.push({ name: resolver.getAtt(id, 'Name'), arn: resolver.getAtt(id, 'Arn') });
    }
    this.rules = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Events::Rule')
      .map(([id, r]) => this.parseRule(id, r.Properties ?? {}));
    this.startSchedules();
  }

  putEvents(request: { Entries?: unknown }): PutEventsResult {
    const entries = request.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${
          Array.isArray(entries) && entries.length > MAX_ENTRIES
            ? `less than or equal to ${MAX_ENTRIES}`
            : 'greater than or equal to 1'
        }`,
      );
    }
    if (entries.reduce((sum: number, e: PutEventsEntry) => sum + entrySize(e), 0) > MAX_REQUEST_BYTES) {
      throw new AwsError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results = entries.map((entry: PutEventsEntry) => this.accept(entry));
    return {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    };
  }

  listRules(request: { EventBusName?: string; NamePrefix?: string; Limit?: number; NextToken?: string }) {
    const bus = this.bus(request.EventBusName);
    const matching = this.rules
      .filter((r) => r.eventBusName === bus.name && r.name.startsWith(request.NamePrefix ?? ''))
      .sort((a, b) => a.name.localeCompare(b.name));
    const start = Number(request.NextToken ?? 0);
    const limit = request.Limit ?? 100;
    const page = matching.slice(start, start + limit);
    return {
      Rules: page.map((r) => this.describe(r)),
      ...(start + limit < matching.length ? { NextToken: String(start + limit) } : {}),
    };
  }

  describeRule(request: { Name?: string; EventBusName?: string }) {
    return {
      ...this.describe(this.rule(request.Name, request.EventBusName)),
      CreatedBy: this.options.resolver.accountId,
    };
  }

  listTargetsByRule(request: { Rule?: string; EventBusName?: string }) {
    return { Targets: this.rule(request.Rule, request.EventBusName).targets };
  }

  listEventBuses(request: { NamePrefix?: string }) {
    return {
      EventBuses: this.buses
        .filter((b) => b.name.startsWith(request.NamePrefix ?? ''))
        .map((b) => ({ Name: b.name, Arn: b.arn })),
    };
  }

  describeEventBus(request: { Name?: string }) {
    const bus = this.bus(request.Name);
    return { Name: bus.name, Arn: bus.arn };
  }

  /** The last events put on any bus, newest first, with the rules they matched (for the console). */
  recentEvents() {
    return [...this.recent].reverse();
  }

  /** True while an invocation or delivery runs or a retry waits for its turn. */
  get busy(): boolean {
    return this.inFlight.size > 0 || this.timers.size > 0;
  }

  /** Resolves once every delivery, including retries waiting for their turn, has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      await Promise.allSettled([...this.inFlight]);
      if (this.timers.size > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const timer of this.schedules) clearInterval(timer);
    this.timers.clear();
    this.schedules.clear();
  }

  private accept(entry: PutEventsEntry): PutEventsResultEntry {
    const invalid = (name: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
    });
    const busName =
      entry.EventBusName === undefined || entry.EventBusName === '' ? 'default' : entry.EventBusName;
    if (typeof busName !== 'string') return invalid('EventBusName');
    const bus = this.buses.find((b) => b.name === busName || b.arn === busName);
    if (!bus)
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('DetailType');
    if (typeof entry.Detail !== 'string' || entry.Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    // Only AWS services may send `aws.*` sources.
    if (entry.Source.startsWith('aws.'))
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.options.resolver.accountId,
      time: eventTime(entry.Time),
      region: this.options.resolver.region,
      resources,
      detail: detail as Record<string, unknown>,
    };
    this.route(bus.name, event);
    return { EventId: event.id };
  }

  /** Matches the event against the bus's enabled rules and schedules each target's delivery. */
  private route(busName: string, event: EventEnvelope): void {
    const ingestedAt = new Date();
    const matched = this.rules.filter(
      (r) =>
        r.eventBusName === busName &&
        r.state.startsWith('ENABLED') &&
        r.eventPattern !== undefined &&
        matchesPattern(r.eventPattern, event),
    );
    this.recent.push({ event, bus: busName, matchedRules: matched.map((r) => r.name) });
    if (this.recent.length > RECENT_EVENTS) this.recent.shift();
    // Delivery starts after PutEvents has answered, as on EventBridge: a producer never waits for a target.
    for (const rule of matched) {
      for (const target of rule.targets)
        this.later(0, () => this.deliver(rule, target, event, ingestedAt, 0));
    }
  }

  private deliver(
    rule: Rule,
    target: RuleTarget,
    event: EventEnvelope,
    ingestedAt: Date,
    attempt: number,
  ): void {
    const run = async () => {
      let input: string | null = null;
      try {
        input = targetInput(target, event, { ruleArn: rule.arn, ruleName: rule.name, ingestedAt });
        await this.send(target.Arn, input, event);
      } catch (error) {
        if (this.closed) return;
        const { errorCode, errorMessage } = describeError(error);
        const retryScale = this.options.retryScale ?? 60;
        const maxAttempts = target.RetryPolicy?.MaximumRetryAttempts ?? 185;
        const maxAgeSeconds = target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400;
        const delaySeconds = Math.min(2 ** attempt, MAX_RETRY_DELAY_SECONDS);
        const ageSeconds = ((Date.now() - ingestedAt.getTime()) * retryScale) / 1000 + delaySeconds;
        const retryable = errorCode !== 'LocalUnsupportedTarget';
        if (retryable && attempt < maxAttempts && ageSeconds <= maxAgeSeconds) {
          this.later((delaySeconds * 1000) / retryScale, () =>
            this.deliver(rule, target, event, ingestedAt, attempt + 1),
          );
          return;
        }
        const deadLetterQueue = target.DeadLetterConfig?.Arn ?? null;
        this.options.deadLetters.add({
          kind: 'event-target',
          ruleName: rule.name,
          ruleArn: rule.arn,
          targetId: target.Id,
          targetArn: target.Arn,
          deadLetterQueue,
          errorCode,
          errorMessage,
          retryAttempts: attempt,
          event,
          input,
        });
        this.options.log?.(
          `event ${event.id} (${event['detail-type']}) could not be delivered to ${target.Id} of rule ${rule.name} after ${attempt + 1} attempts: ${errorCode} ${errorMessage}`,
        );
      }
    };
    this.track(run());
  }

  private async send(arn: string, input: string, event: EventEnvelope): Promise<void> {
    const service = arn.split(':')[2];
    if (service === 'lambda') {
      // Lambda's Invoke takes JSON; a transformer that produced plain text fails like it does on AWS.
      let payload: unknown;
      try {
        payload = JSON.parse(input);
      } catch {
        throw new AwsError('InvalidRequestContentException', 'Could not parse request body into json');
      }
      await this.options.targets.invokeLambdaAsync(arn, payload);
      return;
    }
    if (service === 'states') {
      await this.options.targets.startExecution(arn, input);
      return;
    }
    if (service === 'events' && arn.includes(':event-bus/')) {
      const bus = this.buses.find((b) => b.arn === arn);
      if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${arn} does not exist.`);
      this.route(bus.name, { ...event, id: randomUUID() });
      return;
    }
    throw new AwsError('LocalUnsupportedTarget', `targets of type ${service} are not emulated locally`);
  }

  private parseRule(logicalId: string, raw: Record<string, unknown>): Rule {
    const { resolver } = this.options;
    const props = resolver.resolve<Record<string, unknown>>(raw, `${logicalId}.Properties`);
    const busRef = props.EventBusName === undefined ? 'default' : String(props.EventBusName);
    const eventBusName = busRef.startsWith('arn:') ? busRef.slice(busRef.lastIndexOf('/') + 1) : busRef;
    if (!this.buses.some((b) => b.name === eventBusName))
      throw new Error(`${logicalId}: rule on event bus ${eventBusName}, which the template does not define`);
    let eventPattern: Record<string, unknown> | undefined;
    if (props.EventPattern !== undefined) {
      const pattern =
        typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern;
      try {
        validatePattern(pattern);
      } catch (error) {
        throw new Error(`${logicalId}: invalid EventPattern: ${(error as Error).message}`);
      }
      eventPattern = pattern as Record<string, unknown>;
    }
    return {
      name: resolver.physicalName(logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      logicalId,
      eventBusName,
      ...(typeof props.Description === 'string' ? { description: props.Description } : {}),
      ...(eventPattern ? { eventPattern } : {}),
      ...(typeof props.ScheduleExpression === 'string'
        ? { scheduleExpression: props.ScheduleExpression }
        : {}),
      state: typeof props.State === 'string' ? props.State : 'ENABLED',
      targets: ((props.Targets as RuleTarget[] | undefined) ?? []).map((t) => ({ ...t, Arn: String(t.Arn) })),
    };
  }

  /** `rate(...)` rules fire on a timer divided by the time scale; cron rules are only reported. */
  private startSchedules(): void {
    const timeScale = this.options.timeScale ?? 1;
    for (const rule of this.rules) {
      if (!rule.scheduleExpression || !rule.state.startsWith('ENABLED')) continue;
      const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(rule.scheduleExpression);
      if (!rate) {
        this.options.log?.(
          `rule ${rule.name}: ${rule.scheduleExpression} is not run locally (only rate(...) is)`,
        );
        continue;
      }
      const unitSeconds = { minute: 60, hour: 3600, day: 86_400 }[rate[2]?.replace(/s$/, '') as 'minute'];
      const everyMs = (Number(rate[1]) * unitSeconds * 1000) / timeScale;
      const timer = setInterval(
        () => {
          const event: EventEnvelope = {
            version: '0',
            id: randomUUID(),
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: this.options.resolver.accountId,
            time: eventTime(undefined),
            region: this.options.resolver.region,
            resources: [rule.arn],
            detail: {},
          };
          for (const target of rule.targets) this.deliver(rule, target, event, new Date(), 0);
        },
        Math.max(everyMs, 1000),
      );
      timer.unref();
      this.schedules.add(timer);
    }
  }

  private describe(rule: Rule) {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventBusName: rule.eventBusName,
      State: rule.state,
      ...(rule.description ? { Description: rule.description } : {}),
      ...(rule.eventPattern ? { EventPattern: JSON.stringify(rule.eventPattern) } : {}),
      ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
    };
  }

  private bus(nameOrArn: string | undefined) {
    const wanted = nameOrArn ?? 'default';
    const bus = this.buses.find((b) => b.name === wanted || b.arn === wanted);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${wanted} does not exist.`);
    return bus;
  }

  private rule(name: string | undefined, busName: string | undefined): Rule {
    const bus = this.bus(busName);
    const rule = this.rules.find((r) => r.name === name && r.eventBusName === bus.name);
    if (!rule)
      throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}

// ---------------------------------------------------------------------------------------------
// Target input
// ---------------------------------------------------------------------------------------------

/**
 * The text EventBridge sends to a target (EventBridge User Guide, "Amazon EventBridge input
 * transformation", and the API Reference's Target and InputTransformer):
 * - `Input`: that JSON text, and nothing from the event.
 * - `InputPath`: the JSON of the part of the event the path selects (`null` if it selects nothing).
 * - `InputTransformer`: `InputTemplate` with each `<name>` replaced (see `renderInputTemplate`).
 * - none of these: the whole event.
 */
export function targetInput(
  target: Pick<RuleTarget, 'Input' | 'InputPath' | 'InputTransformer'>,
  event: EventEnvelope,
  context: { ruleArn: string; ruleName: string; ingestedAt: Date },
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(jsonPath(event, target.InputPath) ?? null);
  if (target.InputTransformer) return renderInputTemplate(target.InputTransformer, event, context);
  return JSON.stringify(event);
}

/**
 * Fills an InputTemplate. The rules, from the user guide's examples and "Common issues":
 * - A placeholder outside a JSON string is replaced by the value as JSON: `<state>` → `"RUNNING"`,
 *   an object stays an object, a number a number.
 * - A placeholder inside a JSON string (`"instance <instance> is in <state>"`) is replaced by the
 *   value's text, escaped so the string stays valid JSON: a string without its quotes, anything
 *   else as its JSON.
 * - A variable whose path is not in the event "isn't created and won't appear in the output":
 *   inside a string it becomes empty text, outside it becomes `null` so the JSON stays valid.
 * - Predefined variables: `aws.events.rule-arn`, `aws.events.rule-name`,
 *   `aws.events.event.ingestion-time` (ISO 8601), `aws.events.event` (the event without
 *   `detail`) and `aws.events.event.json` (the whole event).
 * - A `<...>` that names no variable is left as written.
 */
export function renderInputTemplate(
  transformer: InputTransformer,
  event: EventEnvelope,
  context: { ruleArn: string; ruleName: string; ingestedAt: Date },
): string {
  const { detail: _detail, ...withoutDetail } = event;
  const predefined: Record<string, unknown> = {
    'aws.events.rule-arn': context.ruleArn,
    'aws.events.rule-name': context.ruleName,
    'aws.events.event.ingestion-time': context.ingestedAt.toISOString(),
    'aws.events.event': withoutDetail,
    'aws.events.event.json': event,
  };
  const paths = transformer.InputPathsMap ?? {};
  const template = transformer.InputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch === '\\' && inString) {
      out += ch + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') {
      inString = !inString;
      out += ch;
      continue;
    }
    if (ch === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      const defined = Object.hasOwn(paths, name) || Object.hasOwn(predefined, name);
      if (name && defined) {
        const value = Object.hasOwn(predefined, name)
          ? predefined[name]
          : jsonPath(event, paths[name] as string);
        out += inString ? insideString(value) : value === undefined ? 'null' : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

function insideString(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}

/**
 * The JSONPath subset EventBridge evaluates: `$`, dot names (with dashes, underscores, slashes),
 * `['name']`, array indexes and `*` wildcards. A wildcard yields the list of what it reached.
 * Undefined when the path selects nothing.
 */
export function jsonPath(root: unknown, expression: string): unknown {
  if (!expression.startsWith('$')) throw new Error(`not a JSON path: ${expression}`);
  const steps: (string | number | '*')[] = [];
  const re = /\.([^.[\]]+)|\[\s*(?:(\d+)|'([^']*)'|"([^"]*)"|(\*))\s*\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < expression.length) {
    const start = re.lastIndex;
    const m = re.exec(expression);
    if (!m) throw new Error(`cannot parse JSON path ${expression} at ${start}`);
    if (m[1] !== undefined) steps.push(m[1] === '*' ? '*' : m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else if (m[5] !== undefined) steps.push('*');
    else steps.push((m[3] ?? m[4]) as string);
  }
  let current: unknown[] = [root];
  let wildcard = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step === '*') {
        wildcard = true;
        if (Array.isArray(value)) next.push(...value);
        else if (value && typeof value === 'object') next.push(...Object.values(value));
      } else if (typeof step === 'number') {
        if (Array.isArray(value) && step < value.length) next.push(value[step]);
      } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, step)) {
        next.push((value as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  if (wildcard) return current.length > 0 ? current : undefined;
  return current[0];
}

// ---------------------------------------------------------------------------------------------

/** EventBridge's entry size: Time (14 bytes if given), Source, DetailType, Detail, each Resource. */
function entrySize(entry: PutEventsEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  let size = entry.Time === undefined ? 0 : 14;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += bytes(r);
  return size;
}

/** EventBridge's `time`: seconds precision in UTC, e.g. 2015-11-11T21:29:54Z. */
function eventTime(time: unknown): string {
  // SDKs send `Time` as epoch seconds in AWS JSON; accept an ISO string too.
  const date =
    typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return `${valid.toISOString().slice(0, 19)}Z`;
}

function describeError(error: unknown): { errorCode: string; errorMessage: string } {
  if (error instanceof Error) return { errorCode: error.name, errorMessage: error.message };
  return { errorCode: 'Error', errorMessage: String(error) };
}
