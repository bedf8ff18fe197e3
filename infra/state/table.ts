// The poller's state: one table in the single-table design of functions/state/dynamo.ts. It holds what makes
// alerts exactly-once (open alerts, the delivery outbox), so it is protected against deletion and kept if the
// stack is removed; TTL clears items once they can no longer cause a re-alert. A redeploy after `cdk destroy` can
// take the kept table back by name (setting stateTableName) instead of starting from an empty one.

import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The item attribute the runtime writes, in epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Exactly what the state store calls (conditional puts and updates, deletes, queries, and per slice of a delivery a
 * batched read of the pending channels and a batched write of the delivered events); no scans.
 */
const STORE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
];

export class StateTable extends Construct {
  readonly table: ITable;

  /** `existingName`: a table this stack created before (and kept), used as it is and left outside the stack. */
  constructor(scope: Construct, id: string, existingName?: string) {
    super(scope, id);
    this.table = existingName
      ? Table.fromTableName(this, 'Table', existingName)
      : new Table(this, 'Table', {
          partitionKey: { name: 'pk', type: AttributeType.STRING },
          sortKey: { name: 'sk', type: AttributeType.STRING },
          billingMode: BillingMode.PAY_PER_REQUEST,
          timeToLiveAttribute: TTL_ATTRIBUTE,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          deletionProtection: true,
          removalPolicy: RemovalPolicy.RETAIN,
          encryption: TableEncryption.AWS_MANAGED,
        });
  }

  grantStore(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: STORE_ACTIONS, resources: [this.table.tableArn] }),
    );
  }
}
