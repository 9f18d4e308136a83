// The files an app's SQLite database is made of: the app's file and, beside it, the webhook door's
// arrivals file (ADR 0022), each with SQLite's companions. Apart from the modules that open them,
// so that scripts run by plain Node (the demo's and the bench's cleanup) can name them too.
import { rmSync } from "node:fs";

/** The arrivals file of an app database file (`loyalty.sqlite` → `loyalty.inbox.sqlite`). */
export function arrivalsFile(appFile: string): string {
  return appFile.replace(/(\.sqlite3?|\.db)?$/, ".inbox.sqlite");
}

/** Every file of an app database: the two files, each with its WAL, shared-memory index and journal. */
export function sqliteDatabaseFiles(appFile: string): string[] {
  return [appFile, arrivalsFile(appFile)].flatMap((f) => [f, `${f}-wal`, `${f}-shm`, `${f}-journal`]);
}

/** Deletes an app database (nothing of it left to be read into the next one made at that path). */
export function removeSqliteDatabase(appFile: string): void {
  for (const file of sqliteDatabaseFiles(appFile)) rmSync(file, { force: true });
}
