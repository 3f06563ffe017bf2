import type { LocalFunction } from './local-model.ts';

/**
 * What a function sees in its sandbox: the template's Environment (references already resolved to
 * local names), the variables Lambda sets, and the emulator endpoints with dummy credentials. Nothing
 * else of the runner's own environment leaks in, so a real AWS credential never reaches a function.
 */
export function functionEnvironment(fn: LocalFunction, emulators: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
    NODE_ENV: 'production',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    ...emulators,
    ...fn.environment,
  };
}
