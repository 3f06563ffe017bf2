import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { domainTables, ledgerTable, type TableDesign } from '#shared/domain/tables';
import type { DomainTable } from '#shared/jobs/job-declaration';

export interface JobTablesProps {
  /** What happens to the tables (and their data) when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A table together with the design it was built from, so grants can name its index ARNs exactly. */
export interface DesignedTable {
  readonly design: TableDesign;
  readonly table: dynamodb.Table;
}

const attribute = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * The run ledger and the domain tables, each built from its design in `#shared/domain/tables`:
 * on-demand, point-in-time recovery on, CloudFormation-generated names.
 */
export class JobTables extends Construct {
  readonly ledger: DesignedTable;
  readonly domain: Readonly<Record<DomainTable, DesignedTable>>;
  /** The ledger first, then the domain tables in design order. */
  readonly all: readonly DesignedTable[];

  constructor(scope: Construct, id: string, props: JobTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.ledger = this.create(ledgerTable, removalPolicy);
    const entries = Object.entries(domainTables) as [DomainTable, TableDesign][];
    this.domain = Object.fromEntries(entries.map(([name, design]) => [name, this.create(design, removalPolicy)])) as Record<
      DomainTable,
      DesignedTable
    >;
    this.all = [this.ledger, ...entries.map(([name]) => this.domain[name])];
  }

  private create(design: TableDesign, removalPolicy: RemovalPolicy): DesignedTable {
    const table = new dynamodb.Table(this, design.id, {
      partitionKey: attribute(design.partitionKey),
      ...(design.sortKey ? { sortKey: attribute(design.sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(design.ttlAttribute ? { timeToLiveAttribute: design.ttlAttribute } : {}),
      removalPolicy,
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
