// Shopify Flow as the emulator plays it: flowTriggerReceive checks the handle against the app's
// flow_trigger extensions (extensions/*/shopify.extension.toml) and the payload against the
// trigger's declared fields, as Flow does, and records what it accepted for tests and the demo.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";

const root = path.resolve(import.meta.dirname, "../..");

interface TriggerField {
  type: string;
  key?: string;
}
export interface FlowTriggerDefinition {
  handle: string;
  fields: TriggerField[];
}

let definitions: Map<string, FlowTriggerDefinition> | undefined;

/** The app's flow_trigger extensions by handle. */
export function flowTriggerDefinitions(): Map<string, FlowTriggerDefinition> {
  const dir = path.join(root, "extensions");
  definitions ??= new Map(
    readdirSync(dir).flatMap((name) => {
      const file = path.join(dir, name, "shopify.extension.toml");
      if (!existsSync(file)) return [];
      const config = parseToml(readFileSync(file, "utf8")) as {
        extensions?: Array<{ handle: string; type: string }>;
        settings?: { fields?: TriggerField[] };
      };
      return (config.extensions ?? [])
        .filter((e) => e.type === "flow_trigger")
        .map((e) => [e.handle, { handle: e.handle, fields: config.settings?.fields ?? [] }] as const);
    }),
  );
  return definitions;
}

/** A trigger Flow accepted, as the emulator keeps it (tests read shop.flowTriggers). */
export interface FiredTrigger {
  handle: string;
  payload: Record<string, unknown>;
  at: number;
}

/** What Flow says of a payload for a trigger: its errors (none when it is accepted). */
export function flowPayloadErrors(handle: string, payload: unknown): string[] {
  const definition = flowTriggerDefinitions().get(handle);
  if (!definition) return [`Invalid handle '${handle}'`];
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return ["Payload must be an object"];
  if (JSON.stringify(payload).length > 50_000) return ["Payload exceeds 50 KB"];
  const given = payload as Record<string, unknown>;
  const errors: string[] = [];
  const expected = new Map<string, string>();
  for (const f of definition.fields) {
    if (f.type === "customer_reference") expected.set("customer_id", "customer_reference");
    else if (f.key) expected.set(f.key, f.type);
  }
  for (const [key, type] of expected) {
    const value = given[key];
    if (value === undefined || value === null) errors.push(`Missing field '${key}'`);
    else if (type === "customer_reference" && !(Number.isSafeInteger(value) && (value as number) > 0))
      errors.push(`'${key}' must be a customer's numeric id`);
    else if (type === "number_decimal" && typeof value !== "number") errors.push(`'${key}' must be a number`);
    else if (["single_line_text_field", "email", "url"].includes(type) && typeof value !== "string")
      errors.push(`'${key}' must be a string`);
  }
  for (const key of Object.keys(given)) if (!expected.has(key)) errors.push(`Unknown field '${key}'`);
  return errors;
}
