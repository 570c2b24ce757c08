/**
 * Stops a MediaLive channel and waits, within a deadline, until it is IDLE: MediaLive refuses to delete a channel that
 * has not been stopped ("Cannot delete a channel that has not been stopped yet"), so CloudFormation can delete the
 * channel only after this. Pure control flow over a small {@link ChannelControl}; the SDK lives in the shell.
 */

/** What the function may do to a channel. */
export interface ChannelControl {
  /** The channel's state (`RUNNING`, `IDLE`...), or undefined when the channel does not exist. */
  describeState(channelId: string): Promise<string | undefined>;
  /** Asks MediaLive to stop the channel; a conflict (the channel is already changing state) is not an error. */
  stop(channelId: string): Promise<void>;
}

/** Thrown by a {@link ChannelControl} when MediaLive throttled the call: retried after a pause. */
export class ChannelApiThrottledError extends Error {
  constructor(operation: string) {
    super(`MediaLive throttled ${operation}`);
    this.name = 'ChannelApiThrottledError';
  }
}

/** States in which the channel can be deleted: nothing to stop. */
const deletableStates = new Set(['IDLE', 'CREATE_FAILED', 'UPDATE_FAILED', 'DELETING', 'DELETED']);
/** States StopChannel acts on. */
const stoppableStates = new Set(['RUNNING', 'STARTING', 'RECOVERING']);

/** How {@link stopChannel} ended. */
export type StopOutcome =
  | { readonly result: 'not-found' }
  | { readonly result: 'already-stopped'; readonly state: string }
  | { readonly result: 'stopped'; readonly state: string }
  | { readonly result: 'timed-out'; readonly state: string | undefined };

/** What {@link stopChannel} runs with. */
export interface StopChannelOptions {
  readonly control: ChannelControl;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Give up (outcome `timed-out`) when the next pause would end after this time, in milliseconds since the epoch. */
  readonly deadline: number;
  /** Pause between two looks at a stopping channel, in milliseconds. */
  readonly pollIntervalMs: number;
  /** Longest pause after throttling, in milliseconds. */
  readonly maxBackoffMs: number;
}

/**
 * Stops `channelId` if it runs and waits until it can be deleted. Idempotent: a missing or idle channel is left alone,
 * a stopping one is only waited for. Throttled calls are retried after a doubling pause; every wait ends by `deadline`.
 */
export async function stopChannel(channelId: string, options: StopChannelOptions): Promise<StopOutcome> {
  const { control, now, sleep, deadline, pollIntervalMs, maxBackoffMs } = options;
  let stopRequested = false;
  let lastState: string | undefined;
  let throttles = 0;
  for (;;) {
    let pause = pollIntervalMs;
    try {
      const state = await control.describeState(channelId);
      if (state === undefined) return { result: 'not-found' };
      lastState = state;
      if (deletableStates.has(state)) return stopRequested ? { result: 'stopped', state } : { result: 'already-stopped', state };
      if (stoppableStates.has(state)) {
        await control.stop(channelId);
        stopRequested = true;
      }
      throttles = 0;
    } catch (error) {
      if (!(error instanceof ChannelApiThrottledError)) throw error;
      throttles += 1;
      pause = Math.min(pollIntervalMs * 2 ** Math.min(throttles, 16), maxBackoffMs);
    }
    if (now() + pause > deadline) return { result: 'timed-out', state: lastState };
    await sleep(pause);
  }
}
