import { Duration } from 'aws-cdk-lib';
import * as mediatailor from 'aws-cdk-lib/aws-mediatailor';

/** How MediaTailor spreads a schedule's ADS requests over time. Use the static factories. */
export class PrefetchTrafficShaping {
  /** No shaping: each group's requests go out as sessions ask for manifests. */
  public static none(): PrefetchTrafficShaping {
    return new PrefetchTrafficShaping(undefined, undefined, undefined);
  }

  /** Spread each group's requests evenly over `window` (whole seconds). */
  public static retrievalWindow(window: Duration): PrefetchTrafficShaping {
    return new PrefetchTrafficShaping(window, undefined, undefined);
  }

  /**
   * Keep the ADS under `peakTps` requests per second for up to `peakConcurrentUsers` sessions. Both are the ADS's
   * totals: each group's schedule gets an equal share (at least 1).
   */
  public static tps(peakTps: number, peakConcurrentUsers: number): PrefetchTrafficShaping {
    return new PrefetchTrafficShaping(undefined, peakTps, peakConcurrentUsers);
  }

  // closed: only the factories above make one
  private constructor(
    private readonly window: Duration | undefined,
    private readonly peakTps: number | undefined,
    private readonly peakConcurrentUsers: number | undefined,
  ) {}

  /** @internal */
  public _retrievalProperties(groups: number): Partial<mediatailor.CfnPrefetchSchedule.RecurringRetrievalProperty> {
    if (this.window) {
      const seconds = this.window.toSeconds();
      if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`trafficShaping retrieval window must be whole seconds >= 1, got ${this.window.toHumanString()}`);
      return { trafficShapingType: 'RETRIEVAL_WINDOW', trafficShapingRetrievalWindow: { retrievalWindowDurationSeconds: seconds } };
    }
    if (this.peakTps !== undefined && this.peakConcurrentUsers !== undefined) {
      for (const [name, value] of [['peakTps', this.peakTps], ['peakConcurrentUsers', this.peakConcurrentUsers]] as const) {
        if (!Number.isInteger(value) || value < groups) throw new Error(`trafficShaping ${name} must be an integer of at least one per group (${groups}), got ${value}`);
      }
      return {
        trafficShapingType: 'TPS',
        trafficShapingTpsConfiguration: {
          peakTps: Math.floor(this.peakTps / groups),
          peakConcurrentUsers: Math.floor(this.peakConcurrentUsers / groups),
        },
      };
    }
    return {};
  }
}

/**
 * A recurring prefetch schedule, declared once per prefetch group (stream id). MediaTailor has no update for
 * schedules: any change to these props replaces every group's schedule.
 */
export interface RecurringPrefetchScheduleProps {
  /** Base name: each group's schedule is `<name>-<stream id>` (letters, digits, `-` and `_`). */
  readonly name: string;
  /**
   * When prefetching starts (ISO-8601).
   * @default - when the schedule is created
   */
  readonly startTime?: string;
  /**
   * When the recurring schedule ends (ISO-8601). Absolute: the schedule expires then (expired schedules no longer
   * count toward the quota); deploy a later end time to continue.
   */
  readonly endTime: string;
  /**
   * Dynamic variables (e.g. `scte.event_id`) whose values must be equal in the avail for prefetched ads to be used;
   * at most 5, combined with AND.
   * @default - prefetched ads fill the next avail
   */
  readonly availMatchingCriteria?: string[];
  /**
   * Values of the ADS URL's dynamic variables for the prefetch requests (at most 100).
   * @default - MediaTailor interpolates the session's own values
   */
  readonly dynamicVariables?: Record<string, string>;
  /**
   * How long prefetched ads stay usable.
   * @default - MediaTailor's default
   */
  readonly retrievedAdExpiration?: Duration;
  /**
   * How long after an avail ends the first group starts prefetching for the next one.
   * @default Duration.seconds(0)
   */
  readonly delayAfterAvailEnd?: Duration;
  /**
   * Added to `delayAfterAvailEnd` per group: group k starts (k - 1) x groupStagger later, so the groups reach the
   * ADS one after another.
   * @default Duration.seconds(0)
   */
  readonly groupStagger?: Duration;
  /**
   * How each group's requests are spread.
   * @default PrefetchTrafficShaping.none()
   */
  readonly trafficShaping?: PrefetchTrafficShaping;
}
