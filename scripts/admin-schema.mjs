// Shopify's Admin GraphQL schema for the API version the app uses, as published in
// @shopify/dev-mcp. Fetched from the npm registry once into .cache/ (the package itself is
// large and pulls the Shopify CLI, so it is not a dependency). Used by tests and the emulator.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = "@shopify/dev-mcp@1.16.0";

export function adminSchemaFile(version = "2026-10") {
  const file = path.join(root, ".cache", `admin_${version}.json.gz`);
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), "dev-mcp-"));
  try {
    const tarball = execFileSync("npm", ["pack", PACKAGE, "--silent", "--pack-destination", tmp], { encoding: "utf8" })
      .trim()
      .split("\n")
      .pop();
    execFileSync("tar", ["-xzf", path.join(tmp, tarball), "-C", tmp, `package/dist/data/admin_${version}.json.gz`]);
    execFileSync("cp", [path.join(tmp, "package/dist/data", `admin_${version}.json.gz`), file]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

/** The introspection result ({ __schema }) for buildClientSchema. */
export function adminIntrospection(version = "2026-10") {
  const json = JSON.parse(gunzipSync(readFileSync(adminSchemaFile(version))).toString("utf8"));
  return json.data ?? json;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(adminSchemaFile(process.argv[2]));
}
