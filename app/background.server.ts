// What server.mjs needs besides Remix: the webhook door and the background worker. Exported
// from entry.server so both share the build's single database client.
import db, { dialect, ready } from "./db.server";
import { ingestWebhook, type RawWebhook } from "./webhooks/ingest.server";
import { startWorker, type Worker } from "./webhooks/worker.server";

let worker: Worker | null = null;

export async function startBackground(options: { worker?: boolean } = {}) {
  await ready();
  if (options.worker !== false && !worker) worker = startWorker(db, dialect);
  return {
    stop: async () => {
      await worker?.stop();
      worker = null;
      await db.$disconnect();
    },
  };
}

export function handleWebhook(raw: RawWebhook) {
  return ingestWebhook(db, raw, process.env.SHOPIFY_API_SECRET ?? "", () => worker?.kick());
}
