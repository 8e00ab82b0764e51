// Run debugtape's query commands (`sessions`, `show`, `snapshot`) with --json and parse their output.

import { execFile } from "child_process";

export interface CliTarget { command: string; db: string | undefined; cwd: string | undefined; env: NodeJS.ProcessEnv }

export class CliError extends Error {
  constructor(readonly args: string[], readonly stderr: string, message: string) {
    super(message);
  }
}

export function runJson(target: CliTarget, args: string[], timeoutMs = 30000): Promise<unknown> {
  const full = [...args, "--json", ...(target.db ? ["--db", target.db] : [])];
  return new Promise((resolve, reject) => {
    execFile(target.command, full, { cwd: target.cwd, env: target.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const errText = String(stderr ?? "").trim();
        if (err) {
          const detail = errText.split("\n").slice(-3).join(" ") || err.message;
          reject(new CliError(full, errText, `debugtape ${args.join(" ")}: ${detail}`));
          return;
        }
        try {
          resolve(JSON.parse(String(stdout)));
        } catch {
          reject(new CliError(full, errText, `debugtape ${args.join(" ")} printed something that is not JSON`));
        }
      });
  });
}
