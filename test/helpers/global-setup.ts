import { emulatorEnvironment, type EmulatorSet, startEmulators } from '#infra/local/emulators';

let emulators: EmulatorSet | undefined;

/** Starts DynamoDB Local, fauxqs and aws-ses-v2-local once for the whole run; the workers inherit the endpoints. */
export async function setup(): Promise<void> {
  emulators = await startEmulators();
  Object.assign(process.env, emulatorEnvironment(emulators), { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' });
}

export async function teardown(): Promise<void> {
  await emulators?.stop();
}
