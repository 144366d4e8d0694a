import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GSI, TTL_ATTRIBUTE } from '../functions/shared/keys';

export type CustomerStoreProps = { devStack: boolean };

/**
 * The integrated customer file: one DynamoDB table for every entity (docs/data-model.md).
 * Its key schema comes from functions/shared/keys.ts, the module the handlers build keys with.
 */
export class CustomerStore extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: CustomerStoreProps) {
    super(scope, id);
    const removalPolicy = props.devStack ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the Rapport customer file',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !props.devStack,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy,
    });

    // Keys-only projections: a profile update that changes no index key writes nothing to the
    // index, which keeps ingestion near 2 write units per event. Listings fetch the items by key.
    for (const index of Object.values(GSI)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.pk, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sk, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
  }
}
