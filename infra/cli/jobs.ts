import { resolve } from 'node:path';
import { allJobs } from '#shared/jobs/registry';
import { OpsInputError } from '#infra/ops/errors';
import { openOpsTarget } from '#infra/ops/ops-target';
import { parseCommandLine, UsageError } from '#infra/cli/cli-args';
import { type CliIo, runCommand } from '#infra/cli/commands';

/** Exit code of a command line that cannot work, or a value the ops core refused. */
export const USAGE_EXIT_CODE = 2;
const ROOT = resolve(import.meta.dirname, '../..');

/** `jobs …`: parses, finds the target (npm start or AWS), runs the command; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo, root = ROOT): Promise<number> {
  try {
    const { global, command } = parseCommandLine(argv);
    if (command.name === 'help') return runCommand(command, false, undefined as never, io);
    const target = await openOpsTarget({ root, dataDir: global.dataDir && resolve(global.dataDir), local: global.local, stage: global.stage, jobs: allJobs });
    return await runCommand(command, global.json, target.ops, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`jobs: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return error instanceof UsageError || error instanceof OpsInputError ? USAGE_EXIT_CODE : 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  const io: CliIo = { out: (text) => void process.stdout.write(`${text}\n`), err: (text) => void process.stderr.write(text), errIsTty: process.stderr.isTTY === true };
  process.exitCode = await main(process.argv.slice(2), io);
}
