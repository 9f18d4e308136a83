// Shopify Functions as the emulator runs them. Shopify would compile the app's Function to
// WebAssembly and call it with the answer to its input query; here the same module is imported
// and called with the answer to the same query, executed by graphql-js against Shopify's
// published Discount Function schema. Its output is checked against the schema's result type
// before the cart uses it, so a Function that returns something Shopify would refuse fails here.
import { readdirSync, readFileSync, existsSync } from "node:fs";
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
import { discountFunctionIntrospection } from "../../scripts/admin-schema.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = "cart.lines.discounts.generate.run";
const RESULT_TYPE = "CartLinesDiscountsGenerateRunResult";

let schema: GraphQLSchema | undefined;
export function discountFunctionSchema(): GraphQLSchema {
  schema ??= buildClientSchema(discountFunctionIntrospection("2026-10"));
  return schema;
}

export interface FunctionExtension {
  handle: string;
  apiVersion: string;
  target: string;
  inputQuery: string;
  /** the module's export for the target: "cart-lines-discounts-generate-run" → cartLinesDiscountsGenerateRun */
  exportName: string;
  modulePath: string;
}

let extensions: FunctionExtension[] | undefined;

/** The app's Function extensions, read once from their shopify.extension.toml as the CLI reads them. */
export function functionExtensions(): FunctionExtension[] {
  const dir = path.join(root, "extensions");
  extensions ??= readdirSync(dir).flatMap((name) => {
    const tomlPath = path.join(dir, name, "shopify.extension.toml");
    if (!existsSync(tomlPath)) return [];
    const config = parseToml(readFileSync(tomlPath, "utf8")) as {
      api_version: string;
      extensions?: Array<{
        handle: string;
        type: string;
        targeting?: Array<{ target: string; input_query: string; export: string }>;
      }>;
    };
    return (config.extensions ?? [])
      .filter((e) => e.type === "function")
      .flatMap((e) =>
        (e.targeting ?? []).map((t) => ({
          handle: e.handle,
          apiVersion: config.api_version,
          target: t.target,
          inputQuery: readFileSync(path.join(dir, name, t.input_query), "utf8"),
          exportName: t.export.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
          modulePath: path.join(dir, name, "src/index.ts"),
        })),
      );
  });
  return extensions;
}

/** Validation errors of a Function's input query against the Discount Function schema. */
export function validateFunctionQuery(source: string): string[] {
  try {
    return validate(discountFunctionSchema(), parse(source)).map((e) => e.message);
  } catch (error) {
    return [(error as Error).message];
  }
}

/** What Shopify knows when the Function runs: the cart and the discount that triggered it. */
export interface FunctionContext {
  cart: {
    subtotal: string;
    currencyCode: string;
    lines: Array<{ id: string; quantity: number; unitPrice: string; variantId: string }>;
  };
  discountClasses: string[];
  metafields: Array<{ namespace: string; key: string; type: string; value: string }>;
  presentmentCurrencyRate?: string;
  triggeringDiscountCode?: string;
}

function inputRoot(ctx: FunctionContext) {
  const money = (amount: string) => ({ amount, currencyCode: ctx.cart.currencyCode });
  return {
    presentmentCurrencyRate: ctx.presentmentCurrencyRate ?? "1.0",
    triggeringDiscountCode: ctx.triggeringDiscountCode ?? null,
    enteredDiscountCodes: ctx.triggeringDiscountCode ? [{ code: ctx.triggeringDiscountCode, rejectable: true }] : [],
    cart: {
      cost: { subtotalAmount: money(ctx.cart.subtotal), totalAmount: money(ctx.cart.subtotal) },
      lines: ctx.cart.lines.map((l) => {
        const lineTotal = (Number(l.unitPrice) * l.quantity).toFixed(2);
        return {
          id: l.id,
          quantity: l.quantity,
          merchandise: { __typename: "ProductVariant", id: l.variantId, requiresShipping: true },
          cost: { amountPerQuantity: money(l.unitPrice), subtotalAmount: money(lineTotal), totalAmount: money(lineTotal) },
        };
      }),
    },
    discount: {
      discountClasses: ctx.discountClasses,
      metafield: ({ namespace, key }: { namespace: string; key: string }) => {
        const m = ctx.metafields.find((f) => f.namespace === namespace && f.key === key);
        if (!m) return null;
        return { type: m.type, value: m.value, jsonValue: m.type === "json" ? JSON.parse(m.value) : m.value };
      },
    },
  };
}

/** Runs the app's Function for a target: input by its query, output checked against the schema. */
export async function runDiscountFunction(handle: string, ctx: FunctionContext, target = TARGET) {
  const fn = functionExtensions().find((f) => f.handle === handle && f.target === target);
  if (!fn) throw new Error(`no Function ${handle} for ${target}`);
  const errors = validateFunctionQuery(fn.inputQuery);
  if (errors.length) throw new Error(`input query invalid: ${errors.join("; ")}`);
  const input = await graphql({ schema: discountFunctionSchema(), source: fn.inputQuery, rootValue: inputRoot(ctx) });
  if (input.errors?.length) throw new Error(`input query failed: ${input.errors.map((e) => e.message).join("; ")}`);
  const mod = (await import(pathToFileURL(fn.modulePath).href)) as Record<string, (input: unknown) => unknown>;
  const output = mod[fn.exportName]!(JSON.parse(JSON.stringify(input.data)));
  // Throws, as Shopify's output validation would, when the result does not fit the schema.
  coerceInputValue(output, discountFunctionSchema().getType(RESULT_TYPE) as GraphQLInputType);
  return output as DiscountFunctionResult;
}

export interface DiscountFunctionResult {
  operations: Array<{
    orderDiscountsAdd?: {
      selectionStrategy: "FIRST" | "MAXIMUM";
      candidates: Array<{
        message?: string;
        value: { percentage?: { value: string }; fixedAmount?: { amount: string } };
        conditions?: Array<{ orderMinimumSubtotal?: { minimumAmount: string } }>;
      }>;
    };
    productDiscountsAdd?: {
      selectionStrategy: "FIRST" | "MAXIMUM" | "ALL";
      candidates: Array<{
        message?: string;
        targets: Array<{ cartLine?: { id: string; quantity?: number } }>;
        value: { percentage?: { value: string }; fixedAmount?: { amount: string; appliesToEachItem?: boolean } };
      }>;
    };
  }>;
}

/** The amount a discount Function result takes off a cart (minor units), as checkout applies it. */
export function discountMinor(result: DiscountFunctionResult, cart: FunctionContext["cart"]): number {
  const minor = (decimal: string) => Math.round(Number(decimal) * 100);
  const subtotalMinor = minor(cart.subtotal);
  const pick = (amounts: number[], strategy: string) =>
    amounts.length === 0
      ? 0
      : strategy === "ALL"
        ? amounts.reduce((a, b) => a + b, 0)
        : strategy === "MAXIMUM"
          ? Math.max(...amounts)
          : amounts[0]!;
  const total = result.operations.reduce((sum, op) => {
    if (op.orderDiscountsAdd) {
      const eligible = op.orderDiscountsAdd.candidates
        .filter((c) =>
          (c.conditions ?? []).every(
            (cond) => !cond.orderMinimumSubtotal || subtotalMinor >= minor(cond.orderMinimumSubtotal.minimumAmount),
          ),
        )
        .map((c) =>
          c.value.percentage
            ? Math.round((subtotalMinor * Number(c.value.percentage.value)) / 100)
            : minor(c.value.fixedAmount!.amount),
        );
      return sum + pick(eligible, op.orderDiscountsAdd.selectionStrategy);
    }
    if (op.productDiscountsAdd) {
      const amounts = op.productDiscountsAdd.candidates.map((c) =>
        c.targets.reduce((inner, t) => {
          const line = cart.lines.find((l) => l.id === t.cartLine?.id);
          if (!line) return inner;
          const units = Math.min(line.quantity, t.cartLine!.quantity ?? line.quantity);
          const unitMinor = minor(line.unitPrice);
          const off = c.value.percentage
            ? Math.round((unitMinor * units * Number(c.value.percentage.value)) / 100)
            : Math.min(unitMinor * units, minor(c.value.fixedAmount!.amount));
          return inner + off;
        }, 0),
      );
      return sum + pick(amounts, op.productDiscountsAdd.selectionStrategy);
    }
    return sum;
  }, 0);
  return Math.min(subtotalMinor, total);
}
