/**
 * The construct's defaults and limits, written once: the construct documents and applies them, the session
 * function falls back to them. Free of aws-cdk-lib (handler-importable).
 */

/** Prefetch groups unless `prefetchGroups` says otherwise. */
export const defaultPrefetchGroups = 4;

/** MediaTailor's ADS request timeout unless the configuration sets one (https://docs.aws.amazon.com/mediatailor/latest/ug/quotas.html). */
export const mediaTailorAdsTimeoutMs = { default: 3000, minimum: 250, maximum: 6000 } as const;

/**
 * How long CloudFront and the session function wait for MediaTailor: an implicit session or an explicit one waits
 * for the ADS (live pre-roll, prefetch) plus MediaTailor's own work, so the ADS timeout plus this margin, and never
 * less than {@link minimumMediaTailorWaitMs}.
 */
export const mediaTailorWaitMarginMs = 2000;

/** Least time CloudFront waits for a MediaTailor origin (AWS's reference architecture uses 5 s). */
export const minimumMediaTailorWaitMs = 5000;

/** How long to wait for MediaTailor when its ADS timeout is `adsTimeoutMs`. */
export function mediaTailorWaitMs(adsTimeoutMs: number): number {
  return Math.max(minimumMediaTailorWaitMs, adsTimeoutMs + mediaTailorWaitMarginMs);
}

/** Largest explicit session initialization body accepted, in bytes (session parameters, not media). */
export const maxSessionBodyBytes = { default: 16 * 1024, minimum: 256, maximum: 1024 * 1024 } as const;

/** The session function's size unless `sessionFunctionOptions` overrides it. */
export const sessionFunctionDefaults = {
  memoryMiB: 256,
  /** Concurrent executions reserved for (and capping) the session function. */
  reservedConcurrency: 100,
} as const;
