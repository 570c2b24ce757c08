/**
 * Sets environment variables for as long as a test needs them and hands back the function that puts
 * every one of them back as it was (unset ones unset): the one way tests change `process.env`.
 * Handlers built by their factory take a parsed configuration instead; this is for shipped bundles,
 * which read the environment as deployed.
 */
export function setEnvironment(variables: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
