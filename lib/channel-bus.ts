import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export type ChannelBusProps = { busName: string; archiveRetentionDays: number };

/**
 * The bus every channel system puts its events on, and Rapport puts its own decisions on.
 * The archive keeps every event so a fixed consumer can replay what it missed.
 */
export class ChannelBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: ChannelBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName });
    this.bus.archive('Archive', {
      description: 'Every event on the Rapport bus, for replay',
      eventPattern: { account: [this.bus.env.account] },
      retention: Duration.days(props.archiveRetentionDays),
    });
  }
}
