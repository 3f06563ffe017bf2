import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';

export interface JobTablesProps {
  /** The app's own tables, as designs; the jobs name them in `resources.tables`. @default [] */
  readonly tables?: readonly TableDesign[];
  /**
   * What happens to the tables (and their data) when the stack is deleted or a table replaced. A retained table
   * keeps its CloudFormation-generated name, so the next create of the stack makes a new one beside it.
   * @default RETAIN_ON_UPDATE_OR_DELETE: a failed create removes the tables it made, an update or a delete keeps
   * them; RETAIN with deletion protection, whose tables a rolled-back create could not delete
   */
  readonly removalPolicy?: RemovalPolicy;
  /** DynamoDB deletion protection: no one deletes a table until it is turned off. For production. @default false */
  readonly deletionProtection?: boolean;
}

/** A table together with the design it was built from, so grants can name its index ARNs exactly. */
export interface DesignedTable {
  readonly design: TableDesign;
  readonly table: dynamodb.Table;
}

const attribute = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * The framework's run ledger and the app's tables, each built from its design: on-demand, point-in-time
 * recovery on, CloudFormation-generated names. The construct ID of each table is its design's `id`.
 */
export class JobTables extends Construct {
  readonly ledger: DesignedTable;
  /** The app's tables, by design `id`. */
  readonly app: ReadonlyMap<string, DesignedTable>;
  /** The ledger first, then the app's tables in the order given. */
  readonly all: readonly DesignedTable[];

  constructor(scope: Construct, id: string, props: JobTablesProps = {}) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? false;
    const removalPolicy =
      props.removalPolicy ?? (deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
    const designs = props.tables ?? [];
    const ids = [ledgerTable, ...designs].map((design) => design.id);
    const twice = ids.filter((name, index) => ids.indexOf(name) !== index);
    if (twice.length > 0)
      throw new Error(`Table ids must be unique; "${twice[0]}" is given twice (the ledger is "${ledgerTable.id}")`);
    const protection = { removalPolicy, deletionProtection };
    this.ledger = this.create(ledgerTable, protection);
    this.app = new Map(designs.map((design) => [design.id, this.create(design, protection)]));
    this.all = [this.ledger, ...this.app.values()];
  }

  /**
   * The table built from `design`, the ledger included (a job may read runs); a job that names a table the
   * stack was not given is a wiring bug.
   */
  of(design: TableDesign, job: string): DesignedTable {
    const table = design.id === this.ledger.design.id ? this.ledger : this.app.get(design.id);
    if (!table) {
      const known = [...this.app.keys()].join(', ') || 'none';
      throw new Error(
        `${job}: resources.tables names table "${design.id}", which the stack was not given (tables: ${known})`,
      );
    }
    return table;
  }

  private create(
    design: TableDesign,
    protection: { readonly removalPolicy: RemovalPolicy; readonly deletionProtection: boolean },
  ): DesignedTable {
    const table = new dynamodb.Table(this, design.id, {
      partitionKey: attribute(design.partitionKey),
      ...(design.sortKey ? { sortKey: attribute(design.sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(design.ttlAttribute ? { timeToLiveAttribute: design.ttlAttribute } : {}),
      removalPolicy: protection.removalPolicy,
      ...(protection.deletionProtection ? { deletionProtection: true } : {}),
    });
    for (const index of design.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
      });
    }
    return { design, table };
  }
}
