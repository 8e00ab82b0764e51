// The redaction extras from the settings, as the DEBUGTAPE_REDACT variable debugtape reads.

export function redactEnv(keys: unknown, patterns: unknown): Record<string, string> {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.trim() !== "") : []);
  const denyKeys = strings(keys);
  const regexes = strings(patterns);
  if (!denyKeys.length && !regexes.length) return {};
  const table: Record<string, unknown> = {};
  if (denyKeys.length) table.deny_keys = denyKeys;
  if (regexes.length) table.patterns = regexes.map((regex, i) => ({ name: `vscode${i + 1}`, regex }));
  return { DEBUGTAPE_REDACT: JSON.stringify(table) };
}
