import * as path from 'path';
import { implicitSessionPaths, sessionInitializerPrefix, streamIdQueryKey } from './contract/protocol';
import { streamIds } from './contract/stream-groups';
import { cloudFrontFunctionsDir, renderCloudFrontFunction } from '../shared/cloudfront-function-code';

/** The shipped CloudFront Function file that redirects implicit sessions with a stream id. */
export const streamIdRedirectFunctionFile = path.join(cloudFrontFunctionsDir, 'prefetch-session-initializer', 'stream-id-redirect.js');

/** The redirect function's code for `groupCount` prefetch groups, with the contract's names filled in (what the construct deploys). */
export function renderStreamIdRedirectFunction(groupCount: number): string {
  return renderCloudFrontFunction(streamIdRedirectFunctionFile, 'PrefetchSessionInitializer', {
    prefix: sessionInitializerPrefix,
    paths: implicitSessionPaths,
    queryKey: streamIdQueryKey,
    streamIds: streamIds(groupCount),
  });
}
