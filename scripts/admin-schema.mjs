// Shopify's published GraphQL schemas, as shipped in @shopify/dev-mcp: the Admin API for the
// version the app uses, and the Discount Function API its Function is written against.
// Fetched from the npm registry once into .cache/ (the package itself is large and pulls the
// Shopify CLI, so it is not a dependency). Used by tests and the emulator only.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = "@shopify/dev-mcp@1.16.0";

/** The cached file for a schema such as `admin_2026-10` or `functions_discount_2026-10`. */
export function schemaFile(name) {
  const file = path.join(root, ".cache", `${name}.json.gz`);
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), "dev-mcp-"));
  try {
    const tarball = execFileSync("npm", ["pack", PACKAGE, "--silent", "--pack-destination", tmp], { encoding: "utf8" })
      .trim()
      .split("\n")
      .pop();
    const inside = `package/dist/data/${name}.json.gz`;
    execFileSync("tar", ["-xzf", path.join(tmp, tarball), "-C", tmp, inside]);
    execFileSync("cp", [path.join(tmp, inside), file]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

/** The introspection result ({ __schema }) for buildClientSchema. */
export function introspection(name) {
  const json = JSON.parse(gunzipSync(readFileSync(schemaFile(name))).toString("utf8"));
  return json.data ?? json;
}

export const adminIntrospection = (version = "2026-10") => introspection(`admin_${version}`);
export const discountFunctionIntrospection = (version = "2026-10") => introspection(`functions_discount_${version}`);
export const validationFunctionIntrospection = (version = "2026-10") =>
  introspection(`functions_cart_checkout_validation_${version}`);

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(schemaFile(process.argv[2] ?? "admin_2026-10"));
}
