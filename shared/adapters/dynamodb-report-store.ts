import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { names, num, S, str } from '@serverless-jobs/runtime/adapters';
import { domainTables } from '#shared/domain/tables';
import { ledgerTable } from '@serverless-jobs/runtime/contracts';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';
import type { IsoRange, ProcessedOrder, ReportStore, RunRecord, StoredReport } from '#shared/reports/report-store';
import { readFunctionEnvironment } from '@serverless-jobs/runtime/contracts';

export interface ReportTableNames {
  readonly orders: string;
  readonly ledger: string;
  readonly reports: string;
}

export interface ReportStoreOptions {
  /** Items per Query page. @default undefined (DynamoDB's 1 MB pages; tests set it to exercise paging) */
  readonly pageSize?: number;
}

type IndexDesign = TableDesign['indexes'][number];

function indexOf(design: TableDesign, name: string): IndexDesign {
  const index = design.indexes.find((candidate) => candidate.name === name);
  if (!index) throw new Error(`Table ${design.id} has no index "${name}"; the report reads through it`);
  return index;
}

const byProcessedDay = indexOf(domainTables.orders, 'byProcessedDay');
const byJob = indexOf(ledgerTable, 'byJob');

/** The report's tables as the function's environment names them. */
export function reportTablesFromEnvironment(): ReportTableNames {
  const env = readFunctionEnvironment();
  return {
    orders: env.tableName(domainTables.orders),
    ledger: env.ledgerTable,
    reports: env.tableName(domainTables.reports),
  };
}

/**
 * Reads report figures through the `byProcessedDay` and `byJob` indexes, page by page and with only
 * the attributes it adds up, and stores one item per report period.
 */
export class DynamoDbReportStore implements ReportStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: ReportTableNames,
    private readonly options: ReportStoreOptions = {},
  ) {}

  async *processedOrders(utcDay: string, range: IsoRange): AsyncIterable<ProcessedOrder> {
    const items = this.query(this.tables.orders, byProcessedDay, utcDay, range, ['totalCents', 'currency']);
    for await (const item of items) yield { totalCents: num(item, 'totalCents'), currency: str(item, 'currency') };
  }

  async *runs(job: string, range: IsoRange): AsyncIterable<RunRecord> {
    for await (const item of this.query(this.tables.ledger, byJob, job, range, ['status']))
      yield { status: str(item, 'status') };
  }

  async save(report: StoredReport): Promise<void> {
    // An overwrite is the point: a rerun for the same period replaces the report rather than adding one.
    await this.client.send(
      new PutItemCommand({
        TableName: this.tables.reports,
        Item: {
          [domainTables.reports.partitionKey]: S(report.reportId),
          kind: S(report.kind),
          label: S(report.label),
          timeZone: S(report.timeZone),
          periodStart: S(report.periodStart),
          periodEnd: S(report.periodEnd),
          figures: S(JSON.stringify(report.figures)),
          createdAt: S(report.createdAt),
        },
      }),
    );
  }

  private async *query(
    table: string,
    index: IndexDesign,
    partition: string,
    range: IsoRange,
    attributes: readonly string[],
  ): AsyncIterable<Record<string, AttributeValue>> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: table,
        IndexName: index.name,
        KeyConditionExpression: `#${index.partitionKey} = :partition AND #${index.sortKey} BETWEEN :from AND :to`,
        ProjectionExpression: attributes.map((attribute) => `#${attribute}`).join(', '),
        ExpressionAttributeNames: names(index.partitionKey, index.sortKey, ...attributes),
        ExpressionAttributeValues: { ':partition': S(partition), ':from': S(range.from), ':to': S(range.to) },
        ExclusiveStartKey: startKey,
        Limit: this.options.pageSize,
      };
      const page = await this.client.send(new QueryCommand(input));
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
