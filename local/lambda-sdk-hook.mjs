/**
 * Module resolution hook for the local Lambda workers (registered by local/lambda-worker.mjs).
 *
 * Rapport's bundles leave `@aws-sdk/*` out, because the Lambda Node.js runtime provides the SDK.
 * A bundle staged under a data dir outside the repository (a temp dir in tests) would then fail to
 * import it; this hook plays the runtime's part and resolves the SDK from the repository instead,
 * but only after the bundle's own resolution failed, as on Lambda.
 */
let sdkParentUrl;

export async function initialize(data) {
  sdkParentUrl = data?.sdkParentUrl;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (sdkParentUrl && specifier.startsWith('@aws-sdk/')) {
      return nextResolve(specifier, { ...context, parentURL: sdkParentUrl });
    }
    throw error;
  }
}
