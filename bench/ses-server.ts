/**
 * aws-ses-v2-local in a process of its own, for the benchmarks: on Lambda, SES is a remote service, so its
 * CPU must not be charged to the runtime under test. Prints its endpoint once it listens; SIGTERM stops it.
 */
import { startSesLocal } from '@serverless-jobs/local/runner';

const ses = await startSesLocal();
process.stdout.write(`${ses.endpoint}\n`);
process.once('SIGTERM', () => void ses.stop().then(() => process.exit(0)));
