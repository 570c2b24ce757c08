import type { DateRange, Key, MediaInitializationSection, MediaPlaylist, PartialSegment } from './playlist';

/*
 * Writes a media playlist in time linear in its length. hls-parser's stringify writes the same lines but
 * searches every line written so far before each tag it does not expect to repeat (EXT-X-PROGRAM-DATE-TIME,
 * EXT-X-DATERANGE, EXT-X-GAP...): a 1.5 MB VOD with a date on every segment took it 22 s. The text is the one
 * hls-parser writes in lenient mode, with two of our rules on top (see writeMediaPlaylist);
 * test/hls/media-writer.property.test.ts proves the two equal.
 */

/**
 * The text of a media playlist, lines joined by '\n' (no final line terminator, as hls-parser writes it), with:
 * - EXT-X-KEY and EXT-X-MAP declared again right after every EXT-X-DISCONTINUITY, so every span between
 *   discontinuities stands alone (two identical fMP4 ads back to back, seeking players);
 * - a key-less segment after an encrypted one written with METHOD=NONE (a writer that declares keys only
 *   when they change would otherwise leave it encrypted).
 */
export function writeMediaPlaylist(p: MediaPlaylist): string {
  const lines: string[] = ['#EXTM3U'];
  if (p.version) lines.push(`#EXT-X-VERSION:${p.version}`);
  if (p.independentSegments) lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  if (p.start) lines.push(`#EXT-X-START:TIME-OFFSET=${decimal(p.start.offset)}${p.start.precise ? ',PRECISE=YES' : ''}`);
  for (const define of p.defines ?? []) {
    lines.push(`#EXT-X-DEFINE:${Object.keys(define).map((name) => `${name}="${(define as Record<string, unknown>)[name]}"`).join(',')}`);
  }
  if (p.targetDuration) lines.push(`#EXT-X-TARGETDURATION:${p.targetDuration}`);
  if (p.lowLatencyCompatibility) {
    const { canBlockReload, canSkipUntil, holdBack, partHoldBack } = p.lowLatencyCompatibility;
    const attributes = [`CAN-BLOCK-RELOAD=${canBlockReload ? 'YES' : 'NO'}`];
    if (canSkipUntil !== undefined) attributes.push(`CAN-SKIP-UNTIL=${canSkipUntil}`);
    if (holdBack !== undefined) attributes.push(`HOLD-BACK=${holdBack}`);
    if (partHoldBack !== undefined) attributes.push(`PART-HOLD-BACK=${partHoldBack}`);
    lines.push(`#EXT-X-SERVER-CONTROL:${attributes.join(',')}`);
  }
  if (p.partTargetDuration) lines.push(`#EXT-X-PART-INF:PART-TARGET=${p.partTargetDuration}`);
  if (p.mediaSequenceBase) lines.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequenceBase}`);
  if (p.discontinuitySequenceBase) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequenceBase}`);
  if (p.playlistType) lines.push(`#EXT-X-PLAYLIST-TYPE:${p.playlistType}`);
  if (p.isIFrame) lines.push('#EXT-X-I-FRAMES-ONLY');
  if (p.skip > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${p.skip}`);
  for (const dateRange of p.dateRanges) lines.push(dateRangeLine(dateRange));

  const roundDurations = (p.version ?? 1) < 3;
  let lastKey = '';
  let lastMap = '';
  let encrypted = false;
  let cueOutOpen = false;
  // packagers write one duration again and again: each EXTINF line is made once
  const extinfLines = new Map<number | string, string>();
  const segments = p.segments;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    let marker: 'OUT' | 'IN' | undefined;
    let key = segment.key;
    if (key) {
      encrypted = key.method !== 'NONE';
    } else if (encrypted) {
      key = { method: 'NONE' } as Key;
      encrypted = false;
    }
    const keyText = key ? keyLine(key) : undefined;
    const mapText = segment.map ? mapLine(segment.map) : undefined;
    if (segment.discontinuity) {
      lines.push('#EXT-X-DISCONTINUITY');
      if (key && key.method !== 'NONE' && keyText === lastKey) lines.push(keyText);
      if (mapText !== undefined && mapText === lastMap) lines.push(mapText);
    }
    if (segment.gap) lines.push('#EXT-X-GAP');
    if (keyText !== undefined && keyText !== lastKey) lines.push(lastKey = keyText);
    if (mapText !== undefined && mapText !== lastMap) lines.push(lastMap = mapText);
    if (segment.programDateTime) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${isoDate(segment.programDateTime)}`);
    if (segment.dateRange) lines.push(dateRangeLine(segment.dateRange));
    for (let markerIndex = 0; markerIndex < segment.markers.length; markerIndex++) {
      const splice = segment.markers[markerIndex];
      if (splice.type === 'OUT') {
        marker = 'OUT';
        lines.push(`#EXT-X-CUE-OUT:DURATION=${splice.duration}`);
      } else if (splice.type === 'IN') {
        marker = 'IN';
        lines.push('#EXT-X-CUE-IN');
      } else if (splice.type === 'RAW') {
        lines.push(`#${splice.tagName}${splice.value ? `:${splice.value}` : ''}`);
      }
    }
    if (writeParts(lines, segment.parts)) continue; // a preload hint: the segment is not written itself, nor its markers counted
    // a VOD playlist ending inside a cue-out gets its closing EXT-X-CUE-IN
    if (marker) cueOutOpen = marker === 'OUT';
    if (typeof segment.duration === 'number' && !Number.isNaN(segment.duration)) {
      const title = segment.title || '';
      const extinf = title === '' ? segment.duration : `${segment.duration},${title}`;
      let line = extinfLines.get(extinf);
      if (line === undefined) {
        line = `#EXTINF:${roundDurations ? Math.round(segment.duration) : duration(segment.duration)},${utf8AsLatin1(title)}`;
        if (extinfLines.size < 1024) extinfLines.set(extinf, line);
      }
      lines.push(line);
    }
    if (segment.byterange) lines.push(`#EXT-X-BYTERANGE:${segment.byterange.length}@${segment.byterange.offset}`);
    const uri = `${segment.uri}`;
    if (uri !== '') lines.push(uri);
  }
  if (p.playlistType === 'VOD' && cueOutOpen) lines.push('#EXT-X-CUE-IN');
  for (const segment of p.prefetchSegments) {
    if (segment.discontinuity) lines.push('#EXT-X-PREFETCH-DISCONTINUITY');
    lines.push(`#EXT-X-PREFETCH:${segment.uri}`);
  }
  if (p.endlist) lines.push('#EXT-X-ENDLIST');
  for (const report of p.renditionReports) {
    lines.push(`#EXT-X-RENDITION-REPORT:URI="${report.uri}",LAST-MSN=${report.lastMSN}${report.lastPart !== undefined ? `,LAST-PART=${report.lastPart}` : ''}`);
  }
  return lines.join('\n');
}

/** Writes a segment's parts; true when one is a preload hint. */
function writeParts(lines: string[], parts: PartialSegment[]): boolean {
  let hint = false;
  for (const part of parts) {
    if (part.hint) {
      const attributes = ['TYPE=PART', `URI="${part.uri}"`];
      if (part.byterange) {
        attributes.push(`BYTERANGE-START=${part.byterange.offset}`);
        if (part.byterange.length) attributes.push(`BYTERANGE-LENGTH=${part.byterange.length}`);
      }
      lines.push(`#EXT-X-PRELOAD-HINT:${attributes.join(',')}`);
      hint = true;
    } else {
      const attributes = [`DURATION=${part.duration}`, `URI="${part.uri}"`];
      if (part.byterange) attributes.push(`BYTERANGE=${part.byterange.length}@${part.byterange.offset}`);
      if (part.independent) attributes.push('INDEPENDENT=YES');
      if (part.gap) attributes.push('GAP=YES');
      lines.push(`#EXT-X-PART:${attributes.join(',')}`);
    }
  }
  return hint;
}

/** An EXT-X-KEY line. */
function keyLine(key: Key): string {
  const attributes = [`METHOD=${key.method}`];
  if (key.uri) attributes.push(`URI="${key.uri}"`);
  // hls-parser types the IV as ArrayBuffer but parses it into a Uint8Array
  if (key.iv) attributes.push(`IV=${hex(key.iv as unknown as Uint8Array)}`);
  if (key.format) attributes.push(`KEYFORMAT="${key.format}"`);
  if (key.formatVersion) attributes.push(`KEYFORMATVERSIONS="${key.formatVersion}"`);
  return `#EXT-X-KEY:${attributes.join(',')}`;
}

/** An EXT-X-MAP line. */
function mapLine(map: MediaInitializationSection): string {
  return `#EXT-X-MAP:URI="${map.uri}"${map.byterange ? `,BYTERANGE="${map.byterange.length}@${map.byterange.offset}"` : ''}`;
}

function dateRangeLine(dateRange: DateRange): string {
  const attributes = [`ID="${dateRange.id}"`];
  if (dateRange.start) attributes.push(`START-DATE="${isoDate(dateRange.start)}"`);
  if (dateRange.cue) attributes.push(`CUE="${dateRange.cue}"`);
  if (dateRange.end) attributes.push(`END-DATE="${isoDate(dateRange.end)}"`);
  if (dateRange.duration) attributes.push(`DURATION=${dateRange.duration}`);
  if (dateRange.plannedDuration) attributes.push(`PLANNED-DURATION=${dateRange.plannedDuration}`);
  if (dateRange.classId) attributes.push(`CLASS="${dateRange.classId}"`);
  if (dateRange.endOnNext) attributes.push('END-ON-NEXT=YES');
  for (const [name, value] of Object.entries(dateRange.attributes)) {
    if (name.startsWith('X-')) attributes.push(typeof value === 'number' ? `${name}=${value}` : `${name}="${value}"`);
    else if (name.startsWith('SCTE35-')) attributes.push(`${name}=${hex(value as Uint8Array)}`);
  }
  return `#EXT-X-DATERANGE:${attributes.join(',')}`;
}

/** A duration with as many decimals as the number has (a float like 5.005 stays 5.005, 6 stays 6). */
function duration(seconds: number): string | number {
  const text = seconds.toString(10);
  const dot = text.indexOf('.');
  const decimals = dot === -1 ? 0 : text.length - dot - 1;
  return decimals === 0 ? decimal(seconds) : (Math.round(seconds * 10 ** decimals) / 10 ** decimals).toFixed(decimals);
}

/** A number rounded to milliseconds. */
function decimal(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `YYYY-MM-DDThh:mm:ss.sssZ` in UTC. */
function isoDate(date: Date): string {
  const two = (value: number) => `0${value}`.slice(-2);
  return `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:`
    + `${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${`00${date.getUTCMilliseconds()}`.slice(-3)}Z`;
}

function hex(bytes: Uint8Array): string {
  let text = '0x';
  for (let index = 0; index < bytes.byteLength; index++) text += bytes[index].toString(16).toUpperCase().padStart(2, '0');
  return text;
}

/** The UTF-8 bytes of a title, one character each, as hls-parser writes titles (ASCII, nearly every title, as it is). */
function utf8AsLatin1(title: string): string {
  return /^[\x00-\x7f]*$/.test(title) ? title : Buffer.from(title, 'utf8').toString('latin1');
}
