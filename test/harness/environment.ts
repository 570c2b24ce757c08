/**
 * Sets environment variables for as long as a test needs them and hands back the function that puts
 * every one of them back as it was (unset ones unset; `undefined` unsets one meanwhile): the one way tests change
 * `process.env`.
 * Handlers built by their factory take a parsed configuration instead; this is for shipped bundles,
 * which read the environment as deployed.
 */
export function setEnvironment(variables: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[name]; // undefined unsets a variable for the duration
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
