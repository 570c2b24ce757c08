import { spawnSync } from 'child_process';

/** System programs the real-client tests drive. */
export type MediaTool = 'ffmpeg' | 'ffprobe' | 'chromium';

/** Where Debian installs Chromium; overridable for other systems. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const toolCommand: Record<MediaTool, string> = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', chromium: chromiumPath };
const availability = new Map<MediaTool, boolean>();

/** True when the program answers `--version` (checked once per process). */
export function hasTool(tool: MediaTool): boolean {
  let available = availability.get(tool);
  if (available === undefined) {
    const probe = spawnSync(toolCommand[tool], tool === 'chromium' ? ['--version'] : ['-version'], { stdio: 'ignore', timeout: 10_000 });
    available = probe.status === 0;
    availability.set(tool, available);
  }
  return available;
}

/** The tools of `needed` that this machine lacks. */
export function missingTools(needed: MediaTool[]): MediaTool[] {
  return needed.filter((tool) => !hasTool(tool));
}

/**
 * `describe` for suites that need real media tools. Locally a missing tool skips the suite with a
 * printed reason; under CI (CI=true) a missing tool fails the run, because CI installs them.
 */
export function describeWithTools(needed: MediaTool[], name: string, body: () => void): void {
  const missing = missingTools(needed);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `needs ${missing.join(', ')} (install with: apt-get install ffmpeg chromium)`;
  if (isCi()) {
    describe(name, () => {
      test('has the media tools CI installs', () => {
        throw new Error(`${name}: ${reason}; CI must run the real-client tests`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${reason}\n`);
  const skipped: jest.Describe = describe.skip;
  skipped(name, body);
}

function isCi(): boolean {
  const ci = (process.env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}
