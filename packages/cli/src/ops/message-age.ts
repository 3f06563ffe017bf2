import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** Age of the oldest message of a queue, when the target can tell. */
export interface MessageAgeSource {
  oldestMessageAgeSeconds(queueName: string): Promise<number | undefined>;
}

/** The last queue name segment of an SQS URL. */
export const queueNameOf = (queueUrl: string): string => queueUrl.slice(queueUrl.lastIndexOf('/') + 1);

/** SQS's `ApproximateAgeOfOldestMessage` from CloudWatch: the latest one-minute maximum of the last 15 minutes. */
export class CloudWatchMessageAge implements MessageAgeSource {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly now: () => number = Date.now,
  ) {}

  async oldestMessageAgeSeconds(queueName: string): Promise<number | undefined> {
    const end = new Date(this.now());
    const { MetricDataResults = [] } = await this.client.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 15 * 60_000),
        EndTime: end,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'age',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [{ Name: 'QueueName', Value: queueName }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    return MetricDataResults[0]?.Values?.[0];
  }
}
