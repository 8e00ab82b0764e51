// The "debugtape" section of a launch configuration and whether a session gets recorded.

export interface DebugtapeSection { record?: boolean; sample?: string; name?: string }

export interface RecordDecision { record: boolean; name: string; sample: string | undefined; why: string }

export const DEBUGTAPE_TYPE = "debugtape";

/** Reads the section leniently: a wrong type in one key never disables the others. */
export function sectionOf(config: Record<string, unknown> | undefined): DebugtapeSection {
  const raw = config?.debugtape;
  if (raw === true || raw === false) return { record: raw };
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  return {
    record: typeof r.record === "boolean" ? r.record : undefined,
    sample: typeof r.sample === "string" ? r.sample : undefined,
    name: typeof r.name === "string" && r.name.trim() ? r.name.trim() : undefined,
  };
}

/**
 * Precedence: the configuration's own `record`, then a child session follows its parent, then the
 * window's start/stop recording toggle, then the `debugtape.recordAll` setting; the `debugtape`
 * debug type records unless told not to.
 */
export function decide(opts: {
  config: Record<string, unknown> | undefined;
  type: string;
  sessionName: string;
  recordAll: boolean;
  toggle: boolean | undefined;
  parentRecorded: boolean | undefined;
  defaultSample: string;
}): RecordDecision {
  const section = sectionOf(opts.config);
  const sampleText = section.sample ?? opts.defaultSample;
  const sample = sampleText && !/^(off|0|none)$/i.test(sampleText.trim()) ? sampleText.trim() : undefined;
  const name = section.name ?? opts.sessionName;
  const pick = (record: boolean, why: string): RecordDecision => ({ record, name, sample, why });
  if (section.record !== undefined) return pick(section.record, "launch configuration");
  if (opts.parentRecorded !== undefined) return pick(opts.parentRecorded, "parent session");
  if (opts.toggle !== undefined) return pick(opts.toggle, "start/stop recording command");
  if (opts.recordAll) return pick(true, "debugtape.recordAll setting");
  if (opts.type === DEBUGTAPE_TYPE) return pick(true, "debugtape debug type");
  return pick(false, "not enabled");
}
