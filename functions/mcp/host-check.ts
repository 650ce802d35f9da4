/**
 * The Host allow-list: a request naming a host this deployment does not
 * serve is refused before anything else runs. It stops DNS rebinding from
 * clients that send no Origin (a browser page under an attacker's name that
 * resolves to 127.0.0.1 still sends that name as Host).
 */

/**
 * Matches a Host header (`name` or `name:port`, case-insensitive) against
 * entries that are exact hosts (`127.0.0.1:8787`, `conclave.example.com`),
 * names with any port (`localhost:*`) or a leading wildcard label
 * (`*.lambda-url.eu-west-1.on.aws`). An empty list allows every host.
 */
export function hostMatcher(allowed: readonly string[]): (host: string | null) => boolean {
  if (allowed.length === 0) return () => true;
  const entries = allowed.map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  return (host) => {
    if (!host) return false;
    const wanted = host.trim().toLowerCase();
    const name = wanted.replace(/:\d+$/, '');
    return entries.some((entry) => {
      if (entry.endsWith(':*')) return name === entry.slice(0, -2);
      if (entry.startsWith('*.')) return name.endsWith(entry.slice(1)) && name.length > entry.length - 1;
      return wanted === entry || (!entry.includes(':') || entry.endsWith(']') ? name === entry : false);
    });
  };
}

/** The hosts a local server on `port` answers to: its loopback names with that port, plus configured public names. */
export function localHosts(port: number, publicHosts: readonly string[] = []): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, ...publicHosts];
}
