import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { RAPPORT_SOURCE } from '../functions/shared/events';
import type { Api } from './api';
import type { CustomerStore } from './customer-store';
import { DeadLetterQueue } from './dead-letter-queue';
import { HouseFunction } from './house-function';

export type CustomerFileProps = {
  api: Api;
  store: CustomerStore;
  bus: events.IEventBus;
  logRetentionDays: number;
};

/**
 * The integrated customer file: every channel event lands here (ingestion) and is read back as
 * the 360 view, segments, the timeline and the quarantine (API).
 */
export class CustomerFile extends Construct {
  readonly ingestFunction: HouseFunction;

  constructor(scope: Construct, id: string, props: CustomerFileProps) {
    super(scope, id);

    this.ingestFunction = new HouseFunction(this, 'Ingest', {
      entry: 'functions/customer-file/ingest.ts',
      description: 'Validates channel events, resolves identity and updates the customer file',
      timeoutSeconds: 30,
      memoryMb: 512,
      logRetentionDays: props.logRetentionDays,
      invocation: 'async',
      service: 'customer-file-ingest',
    }).useTable(props.store.table, 'readWrite');

    const failed = new DeadLetterQueue(this, 'IngestFailures', {
      purpose: 'channel events the ingestion function failed on after its retries',
    });
    this.ingestFunction.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(failed.queue),
    });
    this.ingestFunction.acknowledge(
      'Serverless-LambdaDLQ',
      'customer-file-ingest: async failures go to its on-failure destination (IngestFailures), which records the error with the event, unlike a DLQ.',
    );

    // Every event not from Rapport itself, including detail-types the catalogue does not know:
    // those are quarantined with a reason instead of being dropped by a narrower pattern.
    const undelivered = new DeadLetterQueue(this, 'IngestUndelivered', {
      purpose: 'channel events EventBridge could not deliver to ingestion',
    });
    new events.Rule(this, 'ChannelEvents', {
      eventBus: props.bus,
      description: 'Channel events into the customer file',
      eventPattern: { source: events.Match.anythingButPrefix(RAPPORT_SOURCE) },
      targets: [
        new targets.LambdaFunction(this.ingestFunction.fn, {
          deadLetterQueue: undelivered.queue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    const api = new HouseFunction(this, 'Api', {
      entry: 'functions/customer-file/api.ts',
      description: 'The 360 view, segment listing, timeline, preferences and quarantine',
      timeoutSeconds: 15,
      memoryMb: 512,
      logRetentionDays: props.logRetentionDays,
      invocation: 'sync',
      service: 'customer-file-api',
    }).useTable(props.store.table, 'readWrite');
    props.api.addRoute('GET', '/customers', api.fn);
    props.api.addRoute('GET', '/customers/{id}', api.fn);
    props.api.addRoute('GET', '/customers/{id}/timeline', api.fn);
    props.api.addRoute('PUT', '/customers/{id}/preferences', api.fn);
    props.api.addRoute('GET', '/quarantine', api.fn);
  }
}
