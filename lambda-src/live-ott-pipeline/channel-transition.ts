/**
 * Moves a MediaLive channel to a state and waits, within a deadline, until it is there: stopped before CloudFormation
 * deletes it (MediaLive refuses to delete a channel that has not been stopped: "Cannot delete a channel that has not
 * been stopped yet"), or running when the pipeline starts it. Pure control flow over a small {@link ChannelControl};
 * the SDK lives in the shell.
 */

/** What the function may do to a channel. */
export interface ChannelControl {
  /** The channel's state (`RUNNING`, `IDLE`...), or undefined when the channel does not exist. */
  describeState(channelId: string): Promise<string | undefined>;
  /** Asks MediaLive to stop the channel; a conflict (the channel is already changing state) is not an error. */
  stop(channelId: string): Promise<void>;
  /** Asks MediaLive to start the channel; a conflict (the channel is already changing state) is not an error. */
  start(channelId: string): Promise<void>;
}

/** Thrown by a {@link ChannelControl} when MediaLive throttled the call: retried after a pause. */
export class ChannelApiThrottledError extends Error {
  constructor(operation: string) {
    super(`MediaLive throttled ${operation}`);
    this.name = 'ChannelApiThrottledError';
  }
}

/** A change of channel state: where it ends, which states the request acts on, and from which it can never get there. */
export interface ChannelTransition {
  /** What the transition is called in answers and logs. */
  readonly name: 'stop' | 'start';
  /** States in which the channel has arrived. */
  readonly arrived: ReadonlySet<string>;
  /** States in which the request is sent (other states are waited out). */
  readonly actOn: ReadonlySet<string>;
  /** States from which the channel cannot arrive. */
  readonly unreachableFrom: ReadonlySet<string>;
  /** Sends the request. */
  act(control: ChannelControl, channelId: string): Promise<void>;
}

/** Stopped: states in which the channel can be deleted. */
export const stopTransition: ChannelTransition = {
  name: 'stop',
  arrived: new Set(['IDLE', 'CREATE_FAILED', 'UPDATE_FAILED', 'DELETING', 'DELETED']),
  actOn: new Set(['RUNNING', 'STARTING', 'RECOVERING']),
  unreachableFrom: new Set(),
  act: (control, channelId) => control.stop(channelId),
};

/** Running; a stopping channel is waited for and then started; a failed or deleted one cannot run. */
export const startTransition: ChannelTransition = {
  name: 'start',
  arrived: new Set(['RUNNING']),
  actOn: new Set(['IDLE']),
  unreachableFrom: new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DELETING', 'DELETED']),
  act: (control, channelId) => control.start(channelId),
};

/** How {@link moveChannel} ended. */
export type TransitionOutcome =
  | { readonly result: 'not-found' }
  | { readonly result: 'already'; readonly state: string }
  | { readonly result: 'done'; readonly state: string }
  | { readonly result: 'unreachable'; readonly state: string }
  | { readonly result: 'timed-out'; readonly state: string | undefined };

/** What {@link moveChannel} runs with. */
export interface MoveChannelOptions {
  readonly control: ChannelControl;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Give up (outcome `timed-out`) when the next pause would end after this time, in milliseconds since the epoch. */
  readonly deadline: number;
  /** Pause between two looks at a changing channel, in milliseconds. */
  readonly pollIntervalMs: number;
  /** Longest pause after throttling, in milliseconds. */
  readonly maxBackoffMs: number;
}

/**
 * Moves `channelId` through `transition` and waits until it has arrived. Idempotent: a missing channel, or one already
 * there, is left alone; a channel on its way is only waited for. Throttled calls are retried after a doubling pause;
 * every wait ends by `deadline`.
 */
export async function moveChannel(channelId: string, transition: ChannelTransition, options: MoveChannelOptions): Promise<TransitionOutcome> {
  const { control, now, sleep, deadline, pollIntervalMs, maxBackoffMs } = options;
  let requested = false;
  let lastState: string | undefined;
  let throttles = 0;
  for (;;) {
    let pause = pollIntervalMs;
    try {
      const state = await control.describeState(channelId);
      if (state === undefined) return { result: 'not-found' };
      lastState = state;
      if (transition.arrived.has(state)) return { result: requested ? 'done' : 'already', state };
      if (transition.unreachableFrom.has(state)) return { result: 'unreachable', state };
      if (transition.actOn.has(state)) {
        await transition.act(control, channelId);
        requested = true;
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
