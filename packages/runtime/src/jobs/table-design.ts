/**
 * The key design of a DynamoDB table, as data: the CDK constructs create the table from it, adapters query by
 * it, and the local runner reads the synthesized result. No CDK, no SDK here.
 */
export interface TableDesign {
  /** Construct ID and the suffix of the `Table<Id>Name` stack output. */
  readonly id: string;
  /** Environment variable through which functions learn the physical name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly TableIndexDesign[];
  /** Attribute holding an epoch-seconds expiry, when the table expires items. */
  readonly ttlAttribute?: string;
}

export interface TableIndexDesign {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}
