// The cart and checkout validation Function as Shopify runs it: the app's module called with the
// answer to its input query, executed by graphql-js against Shopify's published
// cart_checkout_validation 2026-10 schema, with the validation metafield's JSON as the query's
// variables (`[extensions.input.variables]`); the output is checked against the result type.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  buildClientSchema,
  coerceInputValue,
  graphql,
  parse,
  validate,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { parse as parseToml } from "smol-toml";
import { validationFunctionIntrospection } from "../../scripts/admin-schema.mjs";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../extensions/loyalty-members-only");
const RESULT_TYPE = "CartValidationsGenerateRunResult";

let schema: GraphQLSchema | undefined;
export function validationFunctionSchema(): GraphQLSchema {
  schema ??= buildClientSchema(validationFunctionIntrospection("2026-10"));
  return schema;
}

export function membersOnlyExtension() {
  const config = parseToml(readFileSync(path.join(dir, "shopify.extension.toml"), "utf8")) as {
    api_version: string;
    extensions: Array<{
      handle: string;
      type: string;
      targeting: Array<{ target: string; input_query: string; export: string }>;
      input?: { variables?: { namespace: string; key: string } };
    }>;
  };
  const [ext] = config.extensions;
  const [target] = ext!.targeting;
  return {
    apiVersion: config.api_version,
    handle: ext!.handle,
    type: ext!.type,
    target: target!.target,
    exportName: target!.export.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    inputQuery: readFileSync(path.join(dir, target!.input_query), "utf8"),
    variables: ext!.input?.variables ?? null,
  };
}

export const validateValidationQuery = (source: string) =>
  validate(validationFunctionSchema(), parse(source)).map((e) => e.message);

/** What Shopify knows when the Function runs. */
export interface ValidationContext {
  language: string;
  /** the shop's local date, YYYY-MM-DD */
  today: string;
  customer: null | { tags: string[]; metafields: Record<string, string> };
  lines: Array<{ id: string; title: string; tags: string[] }>;
  /** the validation's settings metafield (null: none written) */
  settings: unknown;
}

function rootValue(ctx: ValidationContext) {
  const hasTags =
    (own: string[]) =>
    ({ tags }: { tags: string[] }) =>
      tags.map((tag) => ({ tag, hasTag: own.includes(tag) }));
  const metafield =
    (values: Record<string, string>) =>
    ({ namespace, key }: { namespace: string; key: string }) => {
      const value = values[`${namespace}.${key}`];
      return value === undefined ? null : { value, jsonValue: value, type: "single_line_text_field" };
    };
  return {
    localization: { language: { isoCode: ctx.language.toUpperCase() } },
    shop: { localTime: { date: ctx.today } },
    cart: {
      buyerIdentity: {
        isAuthenticated: ctx.customer !== null,
        customer: ctx.customer && { hasTags: hasTags(ctx.customer.tags), metafield: metafield(ctx.customer.metafields) },
      },
      lines: ctx.lines.map((l) => ({
        id: l.id,
        merchandise: { __typename: "ProductVariant", product: { title: l.title, hasTags: hasTags(l.tags) } },
      })),
    },
    validation: {
      metafield: ({ namespace, key }: { namespace: string; key: string }) =>
        ctx.settings !== null && namespace === "$app:loyalty-members-only" && key === "settings"
          ? { type: "json", value: JSON.stringify(ctx.settings), jsonValue: ctx.settings }
          : null,
    },
  };
}

export async function runValidationFunction(ctx: ValidationContext) {
  const fn = membersOnlyExtension();
  const errors = validateValidationQuery(fn.inputQuery);
  if (errors.length) throw new Error(`input query invalid: ${errors.join("; ")}`);
  const variables = (ctx.settings ?? {}) as Record<string, unknown>;
  const input = await graphql({
    schema: validationFunctionSchema(),
    source: fn.inputQuery,
    rootValue: rootValue(ctx),
    variableValues: variables,
  });
  if (input.errors?.length) throw new Error(`input query failed: ${input.errors.map((e) => e.message).join("; ")}`);
  const mod = (await import(pathToFileURL(path.join(dir, "src/index.ts")).href)) as Record<string, (input: unknown) => unknown>;
  const output = mod[fn.exportName]!(JSON.parse(JSON.stringify(input.data)));
  coerceInputValue(output, validationFunctionSchema().getType(RESULT_TYPE) as GraphQLInputType);
  return output as { operations: Array<{ validationAdd: { errors: Array<{ message: string; target: string }> } }> };
}
