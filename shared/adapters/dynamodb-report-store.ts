import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailure, jobRunItems, N, names, num, S, str } from '@serverless-jobs/runtime/adapters';
import { domainTables } from '#shared/domain/tables';
import type { TableDesign } from '@serverless-jobs/runtime/jobs';
import type {
  IsoRange,
  PreviousReport,
  ProcessedOrder,
  ReportStore,
  RunRecord,
  StoredReport,
} from '#shared/reports/report-store';
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

/** The report's tables as the function's environment names them. */
export function reportTablesFromEnvironment(): ReportTableNames {
  const env = readFunctionEnvironment();
  return {
    orders: env.tableName(domainTables.orders),
    ledger: env.ledgerTable,
    reports: env.tableName(domainTables.reports),
  };
}

const REPORT_KEY = domainTables.reports.partitionKey;

/**
 * Reads report figures through the `byProcessedDay` index and the ledger's job partitions, page by page and with only
 * the attributes it adds up, and stores one item per report period and zone.
 */
export class DynamoDbReportStore implements ReportStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: ReportTableNames,
    private readonly options: ReportStoreOptions = {},
  ) {}

  async *processedOrders(processedDay: string, range?: IsoRange): AsyncIterable<ProcessedOrder> {
    const attributes = ['orderId', 'processedAt', 'totalCents', 'currency'];
    for await (const item of this.query(this.tables.orders, byProcessedDay, processedDay, range, attributes)) {
      yield {
        orderId: str(item, 'orderId') ?? '',
        processedAt: str(item, 'processedAt') ?? '',
        totalCents: num(item, 'totalCents'),
        currency: str(item, 'currency'),
      };
    }
  }

  /** The job's runs created in the range: the ledger has no index by time, so every run of the job is read. */
  async *runs(job: string, range: IsoRange): AsyncIterable<RunRecord> {
    const runs = jobRunItems(this.client, this.tables.ledger, job, {
      filter: '#createdAt BETWEEN :from AND :to',
      names: names('createdAt'),
      values: { ':from': S(range.from), ':to': S(range.to) },
      projection: ['status'],
      pageSize: this.options.pageSize,
    });
    for await (const item of runs) yield { status: str(item, 'status') };
  }

  async load(reportId: string): Promise<PreviousReport | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tables.reports,
        Key: { [REPORT_KEY]: S(reportId) },
        ProjectionExpression: '#version, #createdAt, #mailedVersion, #figures',
        ExpressionAttributeNames: names('version', 'createdAt', 'mailedVersion', 'figures'),
        ConsistentRead: true,
      }),
    );
    if (!item) return undefined;
    return {
      version: num(item, 'version') ?? 0,
      createdAt: str(item, 'createdAt') ?? '',
      mailedVersion: num(item, 'mailedVersion'),
      figures: JSON.parse(str(item, 'figures') ?? 'null') as unknown,
    };
  }

  async save(report: StoredReport, replacing: number | undefined): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tables.reports,
          Item: {
            [REPORT_KEY]: S(report.reportId),
            kind: S(report.kind),
            label: S(report.label),
            timeZone: S(report.timeZone),
            periodStart: S(report.periodStart),
            periodEnd: S(report.periodEnd),
            figures: S(JSON.stringify(report.figures)),
            version: N(report.version),
            createdAt: S(report.createdAt),
          },
          ...(replacing === undefined
            ? {
                ConditionExpression: `attribute_not_exists(#${REPORT_KEY})`,
                ExpressionAttributeNames: names(REPORT_KEY),
              }
            : {
                ConditionExpression: '#version = :replacing',
                ExpressionAttributeNames: names('version'),
                ExpressionAttributeValues: { ':replacing': N(replacing) },
              }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Not permanent: the retry reads the report another run stored, and builds on its version.
      throw new Error(`Report ${report.reportId} was stored by another run meanwhile`, { cause: error });
    }
  }

  async markMailed(reportId: string, version: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.reports,
          Key: { [REPORT_KEY]: S(reportId) },
          UpdateExpression: 'SET #mailedVersion = :version',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: names('mailedVersion', 'version'),
          ExpressionAttributeValues: { ':version': N(version) },
        }),
      );
    } catch (error) {
      // A newer version is stored: the run that stored it mails it.
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async *query(
    table: string,
    index: IndexDesign,
    partition: string,
    range: IsoRange | undefined,
    attributes: readonly string[],
  ): AsyncIterable<Record<string, AttributeValue>> {
    const between = range ? ` AND #${index.sortKey} BETWEEN :from AND :to` : '';
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: table,
        IndexName: index.name,
        KeyConditionExpression: `#${index.partitionKey} = :partition${between}`,
        ProjectionExpression: attributes.map((attribute) => `#${attribute}`).join(', '),
        ExpressionAttributeNames: names(index.partitionKey, ...(range ? [index.sortKey] : []), ...attributes),
        ExpressionAttributeValues: {
          ':partition': S(partition),
          ...(range ? { ':from': S(range.from), ':to': S(range.to) } : {}),
        },
        ExclusiveStartKey: startKey,
        Limit: this.options.pageSize,
      };
      const page = await this.client.send(new QueryCommand(input));
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
