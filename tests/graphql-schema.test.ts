// Every Admin GraphQL document the app sends is valid against Shopify's published Admin schema
// for the API version the app is pinned to.
import { describe, expect, it } from "vitest";
import * as operations from "~/shopify/operations";
import { validateAdminDocument } from "./emulator/graphql.ts";

const documents = (Object.entries(operations) as Array<[string, unknown]>).filter(
  (entry): entry is [string, string] => typeof entry[1] === "string" && /^\s*#graphql/.test(entry[1]),
);

describe(`Admin GraphQL ${operations.API_VERSION}`, () => {
  it("has documents to check", () => {
    expect(documents.length).toBeGreaterThan(0);
  });

  it.each(documents)("%s is valid", (_name, source) => {
    expect(validateAdminDocument(source, operations.API_VERSION)).toEqual([]);
  });

  it("catches a wrong field name", () => {
    expect(validateAdminDocument(`query { shop { currency } }`, operations.API_VERSION)).toEqual([
      expect.stringContaining('Cannot query field "currency" on type "Shop"'),
    ]);
  });
});
