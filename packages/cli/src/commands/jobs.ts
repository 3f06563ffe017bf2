import { resolve } from 'node:path';
import type { JobDeclaration } from '@serverless-jobs/runtime/jobs';
import { OpsInputError, OpsUnreachableError } from '../ops/errors.ts';
import { openOpsTarget } from '../ops/ops-target.ts';
import { parseCommandLine, UsageError } from './cli-args.ts';
import { type CliIo, runCommand } from './commands.ts';
import { ERROR_EXIT_CODE, UNREACHABLE_EXIT_CODE, USAGE_EXIT_CODE } from './exit-codes.ts';

export interface JobsCliOptions {
  /** The app's job declarations, the framework's included (`withScheduleWatchdog`). */
  readonly jobs: readonly JobDeclaration[];
  /** The app's folder, where `.local/runner.json` of its running `npm start` is. @default process.cwd() */
  readonly root?: string;
}

/** `jobs-cli …`: parses, finds the target (npm start or AWS), runs the command; returns the exit code. */
export async function runJobsCli(argv: readonly string[], io: CliIo, options: JobsCliOptions): Promise<number> {
  // The SDK's 9-line notice that Node 20 support ends, on every command, is for the maintainers (as in npm start).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const root = options.root ?? process.cwd();
  try {
    const { global, command } = parseCommandLine(argv);
    if (command.name === 'help' || command.name === 'version')
      return runCommand(command, false, undefined as never, io);
    const target = await openOpsTarget({
      root,
      dataDir: global.dataDir && resolve(global.dataDir),
      local: global.local,
      stage: global.stage,
      ...(global.stack ? { stackName: global.stack } : {}),
      jobs: options.jobs,
    });
    return await runCommand(command, global.json, target.ops, io, { root });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`jobs-cli: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (error instanceof OpsUnreachableError) return UNREACHABLE_EXIT_CODE;
    return error instanceof UsageError || error instanceof OpsInputError ? USAGE_EXIT_CODE : ERROR_EXIT_CODE;
  }
}

/** The process's own standard streams, as the CLI writes to them. */
export const processIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(text),
  errIsTty: process.stderr.isTTY === true,
};
