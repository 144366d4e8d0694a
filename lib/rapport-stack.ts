import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api';
import { ApiDocs } from './api-docs';
import { ChannelBus } from './channel-bus';
import { ContactPolicy } from './contact-policy';
import { readContext } from './context';
import { CustomerFile } from './customer-file';
import { CustomerStore } from './customer-store';
import { FeeReview } from './fee-review';
import { Runs } from './runs';
import { PolicySettings } from './settings';

/** Composes one construct per capability; each construct holds its own resources and wiring. */
export class RapportStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const ctx = readContext(this);
    const store = new CustomerStore(this, 'CustomerStore', { devStack: ctx.devStack });
    const channelBus = new ChannelBus(this, 'ChannelBus', ctx);
    const api = new Api(this, 'Api', {
      devStack: ctx.devStack,
      logRetentionDays: ctx.logRetentionDays,
      rateLimit: ctx.apiRateLimit,
      burstLimit: ctx.apiBurstLimit,
    });
    new ApiDocs(this, 'ApiDocs', { api, logRetentionDays: ctx.logRetentionDays });
    new PolicySettings(this, 'Settings', { api, store, logRetentionDays: ctx.logRetentionDays });
    new CustomerFile(this, 'CustomerFile', {
      api,
      store,
      bus: channelBus.bus,
      logRetentionDays: ctx.logRetentionDays,
    });
    const contactPolicy = new ContactPolicy(this, 'ContactPolicy', {
      api,
      store,
      bus: channelBus.bus,
      logRetentionDays: ctx.logRetentionDays,
    });
    const feeReview = new FeeReview(this, 'FeeReview', {
      api,
      store,
      bus: channelBus.bus,
      requestContactFunction: contactPolicy.requestContactFunction,
      logRetentionDays: ctx.logRetentionDays,
    });
    new Runs(this, 'Runs', {
      api,
      store,
      logRetentionDays: ctx.logRetentionDays,
      workflows: { 'fee-review': feeReview.stateMachine },
    });
  }
}
