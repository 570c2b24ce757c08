/**
 * The contract between LiveOttPipeline and its stop-on-delete custom resource (which also starts the channel when
 * `autoStart` is on): the resource properties, and the timing both sides derive their bounds from. Imported by the
 * construct and the handler; imports nothing.
 */

/** Resource properties of the custom resource (CloudFormation passes them to the handler as strings). */
export const stopOnDeleteProperties = {
  /** The MediaLive channel id (the channel's `Ref`). */
  channelId: 'ChannelId',
  /** `'true'` when the channel is started on create, and when the property turns true; absent otherwise. */
  autoStart: 'AutoStart',
} as const;

/** Timing of the stop-on-delete function. */
export const stopOnDeleteTiming = {
  /** Lambda timeout of the function, in seconds: a stop or a start takes a minute or two, the bound is generous. */
  functionTimeoutSeconds: 600,
  /** Time kept in reserve to answer CloudFormation before the function times out, in milliseconds. */
  responseReserveMs: 30_000,
  /** Pause between two DescribeChannel calls while the channel is stopping or starting, in milliseconds. */
  pollIntervalMs: 5_000,
  /** Longest pause after a throttled call (the pause doubles from `pollIntervalMs` up to this), in milliseconds. */
  maxBackoffMs: 40_000,
} as const;

/** The CloudWatch namespace of the function's metrics. */
export const stopOnDeleteMetrics = {
  namespace: 'CdkOttConstructs/LiveOttPipeline',
  /** Channels the function found running (or starting) and stopped during a stack delete. */
  channelsStopped: 'ChannelsStoppedOnDelete',
  /** Channels the function started because `autoStart` is on. */
  channelsStarted: 'ChannelsStartedAutomatically',
} as const;
