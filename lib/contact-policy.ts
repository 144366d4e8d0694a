import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Api } from './api';
import type { CustomerStore } from './customer-store';
import { HouseFunction } from './house-function';

export type ContactPolicyProps = {
  api: Api;
  store: CustomerStore;
  bus: events.IEventBus;
  logRetentionDays: number;
};

/**
 * Capability 3: POST /contacts for departments, and the same decision as a function that workflows
 * invoke directly. Both read and write the customer's contact log and put `Contact Requested` on the
 * bus; they are two functions so the API's concurrency and alarms stay apart from the workflows'.
 */
export class ContactPolicy extends Construct {
  /** For Step Functions Lambda tasks: payload = the contact request, result = the decision. */
  readonly requestContactFunction: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ContactPolicyProps) {
    super(scope, id);
    const common = {
      entry: 'functions/contact-policy/api.ts',
      // Optimistic retries on a busy contact log back off for up to about a second.
      timeoutSeconds: 10,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      invocation: 'sync',
      service: 'contact-policy',
    } as const;

    const api = new HouseFunction(this, 'Api', {
      ...common,
      description: 'POST /contacts: decides, logs and hands a contact to the channel systems',
    })
      .useTable(props.store.table, 'readWrite')
      .useBus(props.bus);
    props.api.addRoute('POST', '/contacts', api.fn);

    const invoked = new HouseFunction(this, 'RequestContact', {
      ...common,
      handler: 'requestContactHandler',
      description: 'Contact policy decision for workflows (direct invocation)',
    })
      .useTable(props.store.table, 'readWrite')
      .useBus(props.bus);
    this.requestContactFunction = invoked.fn;
  }
}
