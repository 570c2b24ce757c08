import { HlsAdMarkers } from './packaging';

// Rules MediaPackage v1 and v2 share.

/** SCTE-35 message types MediaPackage v2 turns into ad markers. */
export const scteFilter = [
  'SPLICE_INSERT', 'BREAK', 'PROGRAM',
  'PROVIDER_ADVERTISEMENT', 'DISTRIBUTOR_ADVERTISEMENT',
  'PROVIDER_PLACEMENT_OPPORTUNITY', 'DISTRIBUTOR_PLACEMENT_OPPORTUNITY',
  'PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY', 'DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY',
];

/** The same message types as MediaPackage v1 ad triggers (v1 has no PROGRAM trigger). */
export const v1AdTriggers = scteFilter.filter((type) => type !== 'PROGRAM');

/** Limits of the endpoint windows (MediaPackage User Guide, endpoint settings). */
const limits = {
  startoverWindowSeconds: { minimum: 60, maximum: 1_209_600 },
  manifestWindowSeconds: { minimum: 30, maximum: 3600 },
};

/** Throws for a start-over or manifest window out of MediaPackage's range, or ad markers without SCTE-35. */
export function validateWindows(startover: number | undefined, window: number, adMarkers: HlsAdMarkers, scte35Passthrough: boolean): void {
  const { startoverWindowSeconds: s, manifestWindowSeconds: m } = limits;
  if (startover !== undefined && (startover < s.minimum || startover > s.maximum)) {
    throw new Error(`packaging: startoverWindow must be ${s.minimum} s to ${s.maximum} s (14 days), got ${startover} s`);
  }
  if (window < m.minimum || window > m.maximum) {
    throw new Error(`packaging: manifestWindow must be ${m.minimum} s to ${m.maximum} s, got ${window} s`);
  }
  if (adMarkers !== HlsAdMarkers.NONE && !scte35Passthrough) {
    throw new Error(`packaging: adMarkers ${adMarkers} needs SCTE-35 from the encoder, but scte35Passthrough is false; set adMarkers to HlsAdMarkers.NONE or pass SCTE-35 through`);
  }
}
