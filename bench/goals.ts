/** The goals each figure is judged against. */
export const GOALS = {
  writesPerJob: 2,
  baselineWritesPerJob: 3,
  writeUnitsPerJob: 2,
  /** What a successful job prints at the default log level, EMF included. */
  logBytesPerJob: 150,
  wallRatio: 0.6,
  ofLimit: 0.7,
  /** End-to-end throughput with IAM enforced, as a share of the same without. */
  iamThroughputRatio: 0.9,
  /** What a bundle may load at init above the SDK floor (the DynamoDB and SES clients alone). */
  bundleBytesOverFloor: 40_000,
  /** A bundle's load time as a multiple of the SDK floor's, measured in the same rounds. */
  loadOverFloor: 1.15,
  synthSeconds: 20,
  dollarsPerMillion: 1.5,
  /** Cost per job may drift this much across job counts and still be flat. */
  flatness: 0.05,
} as const;
