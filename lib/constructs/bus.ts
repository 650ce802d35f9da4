import { Duration, Stack } from 'aws-cdk-lib';
import { type Archive, type CfnArchive, EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/contracts/events.js';

export interface ConclaveBusProps {
  /**
   * How long the archive keeps Conclave's events for replay.
   *
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
}

/**
 * Conclave's message bus: a custom EventBridge bus that every producer
 * publishes on (source `EVENT_SOURCE`) and integrators write rules against,
 * with an archive of Conclave's own events so they can be replayed.
 */
export class ConclaveBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: ConclaveBusProps = {}) {
    super(scope, id);

    // A fixed, readable name: integrators target it from their own stacks and rules.
    this.bus = new EventBus(this, 'Bus', { eventBusName: `${Stack.of(this).stackName}-bus` });

    // Only events Conclave itself published; events sent in by integrators are theirs to archive.
    this.archive = this.bus.archive('Archive', {
      description: `Conclave events (source "${EVENT_SOURCE}") on the bus, kept for replay`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(30),
    });
    // aws-cdk-lib renders `KmsKeyIdentifier: ""` when no key is given, which some
    // regions reject (aws/aws-cdk#37847); omitted, the archive uses an AWS-owned key.
    (this.archive.node.findChild('Archive') as CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
  }
}
