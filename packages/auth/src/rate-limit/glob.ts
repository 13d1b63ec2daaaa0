/**
 * Compiles a path glob to an anchored RegExp. `*` matches any run of characters, `/` included
 * (fnmatch semantics, so a Python pattern such as `/api/workflows/*` keeps its meaning); `?` matches one.
 */
export function compileGlob(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += source.endsWith('.*') ? '' : '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export const hasWildcard = (glob: string): boolean => glob.includes('*') || glob.includes('?');
