/**
 * What the PrefetchSessionInitializer construct, its session function, its CloudFront Function, their tests and
 * the benchmark share: paths, query and body keys, header names, environment variables, metric names.
 * Free of aws-cdk-lib (handler-importable).
 */

/** The path prefix a player puts in front of MediaTailor's own paths to be given a prefetch group. */
export const sessionInitializerPrefix = '/session-initializer';

/**
 * MediaTailor playback paths (after {@link sessionInitializerPrefix}) that the CloudFront Function redirects with a
 * stream id: implicit session initialization for HLS and for DASH.
 */
export const implicitSessionPaths: readonly string[] = ['/v1/master/', '/v1/dash/'];

/** MediaTailor's explicit session initialization path (after {@link sessionInitializerPrefix}), answered by the session function. */
export const explicitSessionPath = '/v1/session/';

/** Query parameter that gives an implicit (GET) session its prefetch stream id (MediaTailor UG, "Creating prefetch schedules"). */
export const streamIdQueryKey = 'aws.streamId';

/** JSON body key that gives an explicit (POST /v1/session) session its prefetch stream id (same page). */
export const streamIdBodyKey = 'streamId';

/** Origin custom header through which CloudFront proves to the session function that a request came through it. */
export const originSecretHeader = 'x-session-initializer-origin-secret';

/** Viewer headers the session function forwards to MediaTailor, which reads the session's client IP and user agent from them. */
export const forwardedViewerHeaders: readonly string[] = ['x-forwarded-for', 'user-agent'];

/** MediaTailor response headers the session function passes back to the player (besides the status and body). */
export const passedBackMediaTailorHeaders: readonly string[] = ['content-type', 'cache-control'];

/** Environment variables through which the construct configures the session function. */
export const sessionEnvironment = {
  /** `https://manifests.mediatailor.<region>.amazonaws.com`: where explicit sessions are initialized. */
  mediaTailorEndpoint: 'SESSION_MEDIATAILOR_ENDPOINT',
  /** Name of the playback configuration: the only one the function initializes sessions for. */
  playbackConfigurationName: 'SESSION_PLAYBACK_CONFIGURATION_NAME',
  /** Number of prefetch groups (stream ids 1..N). */
  groupCount: 'SESSION_GROUP_COUNT',
  /** ARN of the Secrets Manager secret whose SecretString CloudFront sends in {@link originSecretHeader}. */
  originSecretArn: 'SESSION_ORIGIN_SECRET_ARN',
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: 'SESSION_MAX_BODY_BYTES',
  /** How long the function waits for MediaTailor, in milliseconds. */
  mediaTailorTimeoutMs: 'SESSION_MEDIATAILOR_TIMEOUT_MS',
} as const;

/** CloudWatch namespace and metric names of the session function (EMF). */
export const sessionMetrics = {
  namespace: 'CdkOttConstructs/PrefetchSessionInitializer',
  /** Sessions MediaTailor initialized (2xx). */
  sessionsInitialized: 'SessionsInitialized',
  /** Requests refused as bad input (4xx from the function itself). */
  clientErrors: 'ClientErrors',
  /** MediaTailor answered an error, timed out or was unreachable. */
  mediaTailorErrors: 'MediaTailorErrors',
} as const;
