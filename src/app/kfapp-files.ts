import path from "node:path";
import { ConfigError } from "../errors.js";
import { readOptionalFile } from "./read-optional-file.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** Reads and writes files inside the KFAPP directory, by relative path; a path leading out of it is refused. */
export function kfappFiles(appDir: string): {
  read(file: string): Promise<string | undefined>;
  write(file: string, content: string): Promise<void>;
} {
  const root = path.resolve(appDir);
  const inside = (file: string): string => {
    const full = path.resolve(root, file);
    if (path.relative(root, full).startsWith("..") || path.isAbsolute(file)) {
      throw new ConfigError("APP_FILE_OUTSIDE", `${file} is not inside the KFAPP directory ${root}`, {
        hint: "The plan names a file outside the KFAPP; make a new plan from the KFAPP directory.",
      });
    }
    return full;
  };
  return {
    read: async (file) => readOptionalFile(inside(file)),
    write: async (file, content) => writeFileAtomic(inside(file), content),
  };
}
