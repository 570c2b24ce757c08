import * as fs from 'fs';
import * as path from 'path';

/** Prints each stack of a cloud assembly with its resource count and resource types. */
function summarize(assemblyDir: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string }; environment?: string }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  if (stacks.length === 0) throw new Error(`no stacks in ${assemblyDir}`);
  for (const [name, artifact] of stacks) {
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties!.templateFile!), 'utf8')) as {
      Resources?: Record<string, { Type: string }>;
    };
    const resources = Object.values(template.Resources ?? {});
    const byType = new Map<string, number>();
    resources.forEach((resource) => byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1));
    console.log(`${name} (${artifact.environment ?? 'environment-agnostic'}): ${resources.length} resources`);
    [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).forEach(([type, count]) => console.log(`  ${String(count).padStart(3)}  ${type}`));
  }
}

summarize(process.argv[2] ?? 'cdk.out');
