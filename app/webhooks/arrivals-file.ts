// The name of SQLite's arrivals file (ADR 0022), apart from the module that opens it, so that
// scripts run by plain Node (the demo's and the bench's cleanup) can name it without the app.

/** The arrivals file of an app database file (`loyalty.sqlite` → `loyalty.inbox.sqlite`). */
export function arrivalsFile(appFile: string): string {
  return appFile.replace(/(\.sqlite3?|\.db)?$/, ".inbox.sqlite");
}
