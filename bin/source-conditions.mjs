// Resolves the workspace packages to their TypeScript sources, as `node --conditions=@serverless-jobs/source`
// does for the npm scripts: a bin cannot pass node flags.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@serverless-jobs/source'] });
}
