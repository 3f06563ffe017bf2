import { describe, expect, it } from 'vitest';
import { type LocalModel, provision } from '@serverless-jobs/local/runner';
import { dynamo, sqs, uniqueName } from '#test/helpers/aws';

const model = (name: string, keys: string[]): LocalModel => ({
  stackName: 'Provision',
  tables: [
    {
      logicalId: 'Ledger',
      name,
      properties: {
        KeySchema: keys.map((key, i) => ({ AttributeName: key, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
        AttributeDefinitions: keys.map((key) => ({ AttributeName: key, AttributeType: 'S' })),
      },
    },
  ],
  queues: [],
  functions: [],
  mappings: [],
  schedules: [],
  outputs: {},
});

describe('Function: provision, on DynamoDB Local', () => {
  it('keeps a table with the declared key, and refuses one kept with another key, naming both', async () => {
    const name = uniqueName('Ledger');
    const clients = { dynamodb: dynamo(), sqs: sqs() };
    await provision(model(name, ['pk']), clients);
    await provision(model(name, ['pk']), clients);
    await expect(provision(model(name, ['pk', 'sk']), clients)).rejects.toThrow(
      `Table ${name} in the data dir is keyed pk (HASH), but the app declares pk (HASH), sk (RANGE)`,
    );
  });
});
