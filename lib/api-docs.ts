import { Construct } from 'constructs';
import type { Api } from './api';
import { HouseFunction } from './house-function';

/** GET /openapi.json: the API described from the same zod schemas that validate its requests. */
export class ApiDocs extends Construct {
  constructor(scope: Construct, id: string, props: { api: Api; logRetentionDays: number }) {
    super(scope, id);
    const fn = new HouseFunction(this, 'OpenApi', {
      entry: 'functions/api-docs/handler.ts',
      description: 'Serves the OpenAPI document',
      timeoutSeconds: 5,
      memoryMb: 256,
      logRetentionDays: props.logRetentionDays,
      invocation: 'sync',
      service: 'api-docs',
    });
    props.api.addRoute('GET', '/openapi.json', fn.fn, { public: true });
  }
}
