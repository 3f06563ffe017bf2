#!/usr/bin/env node
// The `jobs` CLI: registers tsx so the TypeScript entry runs as is, with the project's #imports.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../infra/cli/jobs.ts');
const io = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(text),
  errIsTty: process.stderr.isTTY === true,
};
process.exitCode = await main(process.argv.slice(2), io);
