// Structured logs: one JSON object per line (time, level, msg, and fields), on stdout for info
// and stderr for warnings and errors, so a log pipeline can parse, filter and count them.
// Fields are counts, ids and codes: never a payload, an email or a token.
export type LogLevel = "info" | "warn" | "error";

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  (level === "info" ? process.stdout : process.stderr).write(`${line}\n`);
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
