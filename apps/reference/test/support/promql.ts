const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);

/** What a PromQL expression reads: the series names and the label names it mentions. */
export interface PromqlReferences {
  metrics: string[];
  labels: string[];
}

/**
 * Finds the series and labels a PromQL expression refers to, without a full parser: strings,
 * Grafana variables and ranges are dropped, label matchers and groupings are read for their label
 * names, and whatever identifier is left that is not a function call or keyword is a series.
 */
export function promqlReferences(expr: string): PromqlReferences {
  const labels = new Set<string>();
  let rest = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  rest = rest.replace(/\{([^}]*)\}/g, (_, body: string) => {
    for (const match of body.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.add(match[1]!);
    return ' ';
  });
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, body: string) => {
    for (const name of body.split(',')) if (name.trim() !== '') labels.add(name.trim());
    return ' ';
  });
  const metrics = new Set<string>();
  for (const match of rest.matchAll(/([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call !== undefined || KEYWORDS.has(name!.toLowerCase())) continue;
    metrics.add(name!);
  }
  return { metrics: [...metrics], labels: [...labels] };
}
