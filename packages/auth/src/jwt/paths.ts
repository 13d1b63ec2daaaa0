/** Compiles path globs (`*` matches any run of characters, `/` included) into one test. */
export function pathMatcher(globs: readonly string[]): (path: string | undefined) => boolean {
  if (globs.length === 0) return () => false;
  const escape = (glob: string) => glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const pattern = new RegExp(`^(?:${globs.map(escape).join('|')})$`);
  return (path) => {
    if (path === undefined) return false;
    const query = path.indexOf('?');
    return pattern.test(query === -1 ? path : path.slice(0, query));
  };
}
