import { Construct } from 'constructs';
import type { Api } from './api';
import type { CustomerStore } from './customer-store';
import { HouseFunction } from './house-function';

/** GET /settings and PUT /settings/{name}: the policy numbers of product.md, changeable by admins. */
export class PolicySettings extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { api: Api; store: CustomerStore; logRetentionDays: number },
  ) {
    super(scope, id);
    const fn = new HouseFunction(this, 'Api', {
      entry: 'functions/settings/api.ts',
      description: 'Reads and changes policy settings',
      timeoutSeconds: 10,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      invocation: 'sync',
      service: 'settings',
    }).useTable(props.store.table, 'readWrite');
    props.api.addRoute('GET', '/settings', fn.fn);
    props.api.addRoute('PUT', '/settings/{name}', fn.fn);
  }
}
