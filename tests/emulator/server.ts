// The store emulator: stands in for Shopify offline, for tests and the demo only.
// - token exchange (POST /<shop>/admin/oauth/access_token) and Admin GraphQL, schema-validated
// - a webhook sender that signs real payload shapes, and can repeat, reorder and delay
// - an app-proxy forwarder that signs storefront calls as Shopify does
// - an admin shell that frames the embedded app and hands it id tokens
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { flowPayloadErrors } from "./flow.ts";
import { functionExtensions } from "./functions.ts";
import { executeAdmin, type Resolvers } from "./graphql.ts";
import { adminHost, adminIdToken, signedProxyQuery, verifyJwt, webhookHmac } from "./signing.ts";
import { pickerResources, productImage } from "./resource-picker.ts";
import { emptyShop, type EmulatedShop } from "./store.ts";
import { themeEditorPage } from "./theme-editor.ts";
import { productPayload, type Order, type Refund } from "./payloads.ts";

export const API_VERSION = "2026-10";
/** The app's background calls for its integrations (app/shopify/operations.ts). */
export const INTEGRATION_OPERATIONS = new Set(["FlowTriggerReceive", "SetCustomerMetafields", "DeleteMetafields"]);

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

export interface EmulatorOptions {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  port?: number;
}

export interface WebhookOptions {
  webhookId?: string;
  eventId?: string;
  triggeredAt?: string;
  secret?: string;
  headers?: Record<string, string | undefined>;
  rawBody?: string;
}

export interface GraphqlCall {
  shop: string;
  operationName: string | null;
  query: string;
  variables: unknown;
  errors: unknown;
}

export class StoreEmulator {
  readonly shops = new Map<string, EmulatedShop>();
  readonly graphqlCalls: GraphqlCall[] = [];
  readonly mutations: Resolvers = {};
  /**
   * make the next N Admin API calls fail this way (throttled = HTTP 200 with a Throttled error).
   * The integrations' background calls (INTEGRATION_OPERATIONS: Flow triggers, metafields) take
   * theirs from `integrationFailures`, so a test aiming at a redemption's call is not raced by them.
   */
  failures: Array<"throttled" | 429 | 500 | 503> = [];
  integrationFailures: Array<"throttled" | 429 | 500 | 503> = [];
  /**
   * Shopify's leaky bucket per shop, when set (off by default): a call costs 10 points if it is a
   * mutation, else 1; one the bucket cannot pay is answered HTTP 200 with a Throttled error.
   */
  throttle: { maximumAvailable: number; restoreRate: number } | null = null;
  /** calls the bucket refused */
  throttledCalls = 0;
  /**
   * When set, the integration calls of an operation (INTEGRATION_OPERATIONS) beyond its count are
   * applied (Flow accepts the trigger, the metafields are set) but their answer is withheld until
   * `releaseHeld()`: Shopify did the work, the app never heard (a process killed meanwhile).
   */
  holdIntegrations: Record<string, number> | null = null;
  /** the calls whose answer is being withheld, in order */
  readonly heldIntegrationCalls: Array<{ operation: string; variables: unknown }> = [];
  private heldAnswers: Array<() => void> = [];
  private readonly buckets = new Map<string, { available: number; at: number }>();
  url = "";
  private server?: http.Server;
  readonly options: EmulatorOptions;

  constructor(options: EmulatorOptions) {
    this.options = options;
    let next = 1;
    // discountCodeBasicCreate, discountCodeFreeShippingCreate and discountCodeAppCreate: codes are
    // unique per shop; an app discount must name one of the app's Function extensions.
    const functions = new Set(functionExtensions().map((f) => f.handle));
    // `kind` is also the name of the mutation's input argument.
    const create = (kind: string, payload: string) => (args: Record<string, unknown>, shop: EmulatedShop) => {
      const input = args[kind] as Record<string, unknown>;
      const code = String(input.code ?? "").toUpperCase();
      const refuse = (field: string, message: string, errorCode: string) => ({
        [payload]: null,
        userErrors: [{ field: [kind, field], message, code: errorCode }],
      });
      if (!code) return refuse("code", "Code can't be blank", "BLANK");
      if (shop.discountCodes.has(code)) return refuse("code", "Code must be unique. Please try a different code.", "TAKEN");
      if (kind === "codeAppDiscount" && !functions.has(String(input.functionHandle))) {
        return refuse("functionHandle", "Function not found.", "INVALID");
      }
      const id = `gid://shopify/DiscountCodeNode/${1_000_000 + next++}`;
      shop.discountCodes.set(code, { id, kind, code, input, usageCount: 0 });
      return { [payload]: kind === "codeAppDiscount" ? { discountId: id } : { id }, userErrors: [] };
    };
    // metafieldsSet: the app installation's app-data metafields, and customers' (as Shopify checks
    // them: at most 25, the owner exists, a value of the type, never blank), all or nothing.
    this.mutations.metafieldsSet = (args: Record<string, unknown>, shop: EmulatedShop) => {
      const list = args.metafields as Array<{ ownerId: string; namespace: string; key: string; type: string; value: string }>;
      if (list.length > 25)
        return {
          metafields: null,
          userErrors: [
            {
              field: ["metafields"],
              message: "Exceeded the maximum metafields input limit of 25.",
              code: "LESS_THAN_OR_EQUAL_TO",
            },
          ],
        };
      const userErrors = list.flatMap((m, i) => {
        const error = (message: string, code: string) => [
          { field: ["metafields", String(i), "value"], message, code, elementIndex: i },
        ];
        const customer = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(m.ownerId);
        if (customer && !shop.customers.has(Number(customer[1]))) return error("Owner does not exist.", "INVALID");
        if (m.value.trim() === "") return error("Value can't be blank.", "BLANK");
        if (m.type === "number_integer" && !/^-?\d+$/.test(m.value)) return error("Value must be an integer.", "INVALID_VALUE");
        if (m.type === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(m.value))
          return error("Value must be a date (YYYY-MM-DD).", "INVALID_VALUE");
        return [];
      });
      if (userErrors.length) return { metafields: null, userErrors };
      return {
        metafields: list.map((m) => {
          const customer = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(m.ownerId);
          if (customer) {
            const id = Number(customer[1]);
            const fields = shop.customerMetafields.get(id) ?? new Map();
            fields.set(`${m.namespace}.${m.key}`, { type: m.type, value: m.value });
            shop.customerMetafields.set(id, fields);
            return {
              id: `gid://shopify/Metafield/${1_000_000 + next++}`,
              key: m.key,
              owner: { __typename: "Customer", id: m.ownerId },
            };
          }
          shop.appMetafields.set(`${m.namespace}.${m.key}`, m.type === "json" ? JSON.parse(m.value) : m.value);
          return {
            id: `gid://shopify/Metafield/${1_000_000 + next++}`,
            key: m.key,
            owner: { __typename: "AppInstallation", id: m.ownerId },
          };
        }),
        userErrors: [],
      };
    };
    this.mutations.metafieldsDelete = (args: Record<string, unknown>, shop: EmulatedShop) => {
      const list = args.metafields as Array<{ ownerId: string; namespace: string; key: string }>;
      return {
        deletedMetafields: list.map((m) => {
          const fields = shop.customerMetafields.get(Number(m.ownerId.split("/").pop()));
          return fields?.delete(`${m.namespace}.${m.key}`) ? { key: m.key, ownerId: m.ownerId } : null;
        }),
        userErrors: [],
      };
    };
    // flowTriggerReceive: Flow accepts a payload that matches the trigger extension's fields.
    this.mutations.flowTriggerReceive = (args: Record<string, unknown>, shop: EmulatedShop) => {
      const handle = String(args.handle ?? "");
      const errors = flowPayloadErrors(handle, args.payload);
      if (errors.length) return { userErrors: errors.map((message) => ({ field: ["payload"], message })) };
      shop.flowTriggers.push({ handle, payload: args.payload as Record<string, unknown>, at: Date.now() });
      return { userErrors: [] };
    };
    // tagsAdd/tagsRemove on customers: Shopify compares tags ignoring case and keeps them trimmed.
    const editTags = (adding: boolean) => (args: Record<string, unknown>, shop: EmulatedShop) => {
      const id = String(args.id);
      const customer = /^gid:\/\/shopify\/Customer\/(\d+)$/.test(id)
        ? shop.customers.get(Number(id.split("/").pop()))
        : undefined;
      if (!customer) return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
      const given = (args.tags as string[]).map((t) => t.trim()).filter(Boolean);
      if (given.some((t) => t.length > 255))
        return { node: null, userErrors: [{ field: ["tags"], message: "Tags must be 255 characters or fewer" }] };
      let tags = customer.tags.split(", ").filter(Boolean);
      const has = (list: string[], t: string) => list.some((x) => x.toLowerCase() === t.toLowerCase());
      if (adding) for (const t of given) tags = has(tags, t) ? tags : [...tags, t];
      else tags = tags.filter((t) => !has(given, t));
      customer.tags = tags.join(", ");
      return { node: { __typename: "Customer", id }, userErrors: [] };
    };
    // Cart and checkout validations: created for one of the app's Functions, with metafields.
    type ValidationInput = {
      functionHandle?: string;
      enable?: boolean;
      blockOnFailure?: boolean;
      metafields?: Array<{ namespace: string; key: string; type: string; value: string }>;
    };
    const keepMetafields = (target: Map<string, unknown>, list: ValidationInput["metafields"]) => {
      for (const m of list ?? []) target.set(`${m.namespace}.${m.key}`, m.type === "json" ? JSON.parse(m.value) : m.value);
    };
    this.mutations.validationCreate = (args: Record<string, unknown>, shop: EmulatedShop) => {
      const input = args.validation as ValidationInput;
      if (!input.functionHandle || !functions.has(input.functionHandle))
        return {
          validation: null,
          userErrors: [{ field: ["validation", "functionHandle"], message: "Function not found", code: "NOT_FOUND" }],
        };
      const id = `gid://shopify/Validation/${next++}`;
      const validation = {
        functionHandle: input.functionHandle,
        enabled: input.enable ?? false,
        blockOnFailure: input.blockOnFailure ?? false,
        metafields: new Map(),
      };
      keepMetafields(validation.metafields, input.metafields);
      shop.validations.set(id, validation);
      return { validation: { id, enabled: validation.enabled }, userErrors: [] };
    };
    this.mutations.validationUpdate = (args: Record<string, unknown>, shop: EmulatedShop) => {
      const validation = shop.validations.get(String(args.id));
      if (!validation)
        return { validation: null, userErrors: [{ field: ["id"], message: "Validation not found", code: "NOT_FOUND" }] };
      const input = args.validation as ValidationInput;
      validation.enabled = input.enable ?? false;
      validation.blockOnFailure = input.blockOnFailure ?? false;
      keepMetafields(validation.metafields, input.metafields);
      return { validation: { id: String(args.id), enabled: validation.enabled }, userErrors: [] };
    };
    this.mutations.tagsAdd = editTags(true);
    this.mutations.tagsRemove = editTags(false);
    this.mutations.discountCodeBasicCreate = create("basicCodeDiscount", "codeDiscountNode");
    this.mutations.discountCodeFreeShippingCreate = create("freeShippingCodeDiscount", "codeDiscountNode");
    this.mutations.discountCodeAppCreate = create("codeAppDiscount", "codeAppDiscount");
  }

  addShop(domain: string, name?: string, currency?: string): EmulatedShop {
    const shop = emptyShop(domain, name, currency);
    this.shops.set(domain, shop);
    return shop;
  }

  shop(domain: string): EmulatedShop {
    const shop = this.shops.get(domain);
    if (!shop) throw new Error(`emulator has no shop ${domain}`);
    return shop;
  }

  /**
   * What happened in the store, kept as Shopify keeps it (Admin GraphQL lists it), whether or not
   * its webhook is then delivered: a test that drops the webhook leaves only this.
   */
  recordOrder(domain: string, order: Order): void {
    this.shop(domain).orders.set(order.id, order);
  }

  /**
   * The merchant sets a product's tags in the Shopify admin: the store keeps them (Admin GraphQL
   * lists them) and, unless `deliver` is false, products/update goes to the app as Shopify sends it.
   */
  async tagProduct(domain: string, productId: number, tags: string[], options: { deliver?: boolean } = {}) {
    const shop = this.shop(domain);
    const created = !shop.productTags.has(productId);
    shop.productTags.set(productId, tags);
    if (options.deliver === false) return null;
    const payload = productPayload({ id: productId, title: `Product ${productId}`, tags, updated_at: new Date().toISOString() });
    return this.sendWebhook(domain, created ? "products/create" : "products/update", payload);
  }

  recordRefund(domain: string, refund: Refund): void {
    const shop = this.shop(domain);
    shop.refunds.push(refund);
    const left =
      refund.order.lines.length - shop.refunds.filter((r) => r.order.id === refund.order.id).flatMap((r) => r.lines).length;
    refund.order.financial_status = left <= 0 ? "refunded" : "partially_refunded";
    shop.orders.set(refund.order.id, refund.order);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error) => {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ errors: String(error?.message ?? error) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- what Shopify sends to the app -------------------------------------------------------

  /** Delivers a webhook as Shopify does: signed raw body, Shopify's headers. */
  async sendWebhook(shop: string, topic: string, payload: unknown, options: WebhookOptions = {}): Promise<Response> {
    const body = options.rawBody ?? JSON.stringify(payload);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": webhookHmac(body, options.secret ?? this.options.apiSecret),
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
      "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
      "X-Shopify-API-Version": API_VERSION,
      "X-Shopify-Triggered-At": options.triggeredAt ?? new Date().toISOString(),
      "User-Agent": "Shopify-Captain-Hook",
    };
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    return fetch(`${this.options.appUrl}/webhooks/${topic}`, { method: "POST", headers, body });
  }

  /**
   * Delivers a list of webhooks the way Shopify may: each `copies` times (a new webhook id for
   * some repeats, the same for others), shuffled by `seed`, `concurrency` at a time.
   */
  async deliverAll(
    shop: string,
    events: Array<{ topic: string; payload: unknown }>,
    options: { copies?: number; seed?: number; concurrency?: number } = {},
  ): Promise<Response[]> {
    const deliveries: Array<{ topic: string; payload: unknown; webhookId: string }> = [];
    for (const e of events) {
      const id = randomUUID();
      for (let c = 0; c < (options.copies ?? 1); c++) deliveries.push({ ...e, webhookId: c % 2 === 0 ? id : randomUUID() });
    }
    if (options.seed !== undefined) {
      let s = options.seed;
      const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
      }
    }
    const results: Response[] = [];
    let index = 0;
    const worker = async () => {
      while (index < deliveries.length) {
        const d = deliveries[index++]!;
        results.push(await this.sendWebhook(shop, d.topic, d.payload, { webhookId: d.webhookId }));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    return results;
  }

  /** Opens the app the way the admin does on first launch, which installs it (token exchange). */
  async install(shop: string): Promise<Response> {
    return fetch(this.embeddedAppUrl(shop), { headers: { "User-Agent": BROWSER_UA }, redirect: "manual" });
  }

  embeddedAppUrl(shop: string, path = "/app"): string {
    const params = new URLSearchParams({
      embedded: "1",
      shop,
      host: adminHost(shop),
      id_token: adminIdToken(shop, this.options.apiKey, this.options.apiSecret),
      locale: "en",
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    return `${this.options.appUrl}${path}?${params}`;
  }

  /** A storefront call through the app proxy, signed as Shopify signs it. */
  async proxy(
    shop: string,
    path: string,
    options: {
      customerId?: string | null;
      method?: string;
      /** sent as JSON, with Content-Type: application/json unless contentType says otherwise */
      body?: unknown;
      /** sent as it is (what a browser sent), with contentType or no Content-Type at all */
      rawBody?: string;
      contentType?: string | null;
      timestamp?: number;
    } = {},
  ) {
    // The storefront's own query parameters are signed along with Shopify's.
    const [pathname, search = ""] = path.replace(/^\//, "").split("?");
    const extra = Object.fromEntries(new URLSearchParams(search));
    const query = signedProxyQuery(shop, options.customerId ?? null, this.options.apiSecret, extra, options.timestamp);
    // Shopify forwards the shopper's body and its Content-Type as they were sent.
    const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
    const contentType =
      options.contentType !== undefined ? options.contentType : options.body !== undefined ? "application/json" : null;
    return fetch(`${this.options.appUrl}/proxy/${pathname}?${query}`, {
      method: options.method ?? "GET",
      headers: { "User-Agent": BROWSER_UA, ...(contentType ? { "Content-Type": contentType } : {}) },
      // bytes, so that fetch adds no Content-Type of its own
      body: body !== undefined ? Buffer.from(body) : undefined,
    });
  }

  // ---- what the app calls on Shopify --------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const body = await readBody(req);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(value));
    };
    const send = (status: number, type: string, text: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(text);
    };

    let m = /^\/([a-z0-9-]+\.myshopify\.com)\/admin\/oauth\/access_token$/.exec(url.pathname);
    if (m && req.method === "POST") return this.tokenExchange(m[1]!, body, json);

    m = /^\/([a-z0-9-]+\.myshopify\.com)\/admin\/api\/([0-9]{4}-[0-9]{2}|unstable)\/graphql\.json$/.exec(url.pathname);
    if (m && req.method === "POST") return this.adminGraphql(m[1]!, m[2]!, req, body, json);

    if (url.pathname === "/app-bridge.js") {
      return send(200, "text/javascript", readFileSync(new URL("./app-bridge.js", import.meta.url), "utf8"));
    }
    if (url.pathname === "/admin/id-token") {
      const shop = url.searchParams.get("shop") ?? "";
      if (!this.shops.has(shop)) return json(404, { error: "unknown shop" });
      return json(
        200,
        { token: adminIdToken(shop, this.options.apiKey, this.options.apiSecret) },
        { "Access-Control-Allow-Origin": "*" },
      );
    }
    // The resource picker's products (the admin draws the picker around the app) and their images.
    if (url.pathname === "/admin/resource-picker") {
      const resources = pickerResources(
        url.searchParams.get("type") ?? "",
        url.searchParams.get("query") ?? "",
        `http://${req.headers.host}`,
      );
      return resources ? json(200, { resources }) : json(400, { error: "type is product or variant" });
    }
    m = /^\/admin\/product-image\/(\d+)\.svg$/.exec(url.pathname);
    if (m) {
      const svg = productImage(Number(m[1]));
      return svg ? send(200, "image/svg+xml", svg) : send(404, "text/plain", "no such image");
    }
    m = /^\/store\/([a-z0-9-]+)\/apps\/loyalty(\/.*)?$/.exec(url.pathname);
    if (m) return send(200, "text/html; charset=utf-8", this.adminShell(`${m[1]}.myshopify.com`, m[2] ?? "", url.searchParams));
    m = /^\/store\/([a-z0-9-]+)\/themes\/[a-z0-9]+\/editor$/.exec(url.pathname);
    if (m && this.shops.has(`${m[1]}.myshopify.com`)) {
      const shop = this.shop(`${m[1]}.myshopify.com`);
      const page = themeEditorPage({
        shopName: shop.name,
        apiKey: this.options.apiKey,
        appName: "Loyalty Club",
        params: url.searchParams,
        record: (activation) => shop.embedActivations.push(activation),
      });
      return send(page.status, "text/html; charset=utf-8", page.html);
    }
    m = /^\/store\/([a-z0-9-]+)(\/.*)?$/.exec(url.pathname);
    if (m) {
      return send(
        404,
        "text/html; charset=utf-8",
        `<!doctype html><meta charset="utf-8"><title>Not emulated</title><body style="font:15px system-ui;margin:3rem"><h1>Shopify admin (emulated)</h1><p>The emulator has no page <code>${(m[2] ?? "/").replace(/[<>&]/g, "")}</code>.</p></body>`,
      );
    }
    if (url.pathname === "/" || url.pathname === "/admin") return send(200, "text/html; charset=utf-8", this.index());

    m = /^\/s\/([a-z0-9-]+\.myshopify\.com)\/apps\/loyalty\/(.*)$/.exec(url.pathname);
    if (m) {
      const answer = await this.proxy(m[1]!, m[2]!, {
        customerId: url.searchParams.get("customer"),
        method: req.method,
        rawBody: body || undefined,
        contentType: req.headers["content-type"] ?? null,
      });
      return send(answer.status, answer.headers.get("content-type") ?? "application/json", await answer.text());
    }
    json(404, { errors: "Not Found" });
  }

  private tokenExchange(domain: string, body: string, json: (s: number, v: unknown) => void) {
    const shop = this.shops.get(domain);
    let request: Record<string, string>;
    try {
      request = JSON.parse(body);
    } catch {
      return json(400, { error: "invalid_request", error_description: "body is not JSON" });
    }
    if (!shop) return json(404, { errors: "Not Found" });
    if (request.client_id !== this.options.apiKey || request.client_secret !== this.options.apiSecret) {
      return json(401, { error: "invalid_client", error_description: "Client credentials are invalid" });
    }
    if (
      request.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange" ||
      request.subject_token_type !== "urn:ietf:params:oauth:token-type:id_token"
    ) {
      return json(400, { error: "unsupported_grant_type" });
    }
    const claims = verifyJwt(request.subject_token ?? "", this.options.apiSecret);
    if (!claims || claims.dest !== `https://${domain}` || claims.aud !== this.options.apiKey) {
      return json(400, { error: "invalid_subject_token", error_description: "Subject token is invalid" });
    }
    const token = `shpat_${randomBytes(16).toString("hex")}`;
    shop.accessTokens.add(token);
    if (request.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") {
      return json(200, {
        access_token: token,
        scope: "read_customers,read_orders,write_discounts",
        expires_in: 86399,
        associated_user_scope: "read_customers,read_orders,write_discounts",
        associated_user: {
          id: Number(claims.sub),
          first_name: "Demo",
          last_name: "Merchant",
          email: `owner@${domain}`,
          account_owner: true,
          locale: "en",
          collaborator: false,
          email_verified: true,
        },
      });
    }
    return json(200, { access_token: token, scope: "read_customers,read_orders,write_discounts" });
  }

  private async adminGraphql(
    domain: string,
    version: string,
    req: http.IncomingMessage,
    body: string,
    json: (s: number, v: unknown, h?: Record<string, string>) => void,
  ) {
    const shop = this.shops.get(domain);
    const token = req.headers["x-shopify-access-token"];
    if (!shop || typeof token !== "string" || !shop.accessTokens.has(token)) {
      return json(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    const request = JSON.parse(body || "{}");
    const operation = /(?:query|mutation)\s+(\w+)/.exec(String(request.query ?? ""))?.[1] ?? "";
    const failure = INTEGRATION_OPERATIONS.has(operation) ? this.integrationFailures.shift() : this.failures.shift();
    if (failure === "throttled") return json(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] });
    if (failure === 429)
      return json(
        429,
        { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." },
        { "Retry-After": "1" },
      );
    if (failure) return json(failure, { errors: "Internal Server Error" });
    let throttleStatus: Record<string, number> | null = null;
    if (this.throttle) {
      const { maximumAvailable, restoreRate } = this.throttle;
      const now = Date.now();
      const bucket = this.buckets.get(domain) ?? { available: maximumAvailable, at: now };
      bucket.available = Math.min(maximumAvailable, bucket.available + ((now - bucket.at) / 1000) * restoreRate);
      bucket.at = now;
      this.buckets.set(domain, bucket);
      const cost = /^\s*mutation\b/.test(String(request.query ?? "").replace(/#[^\n]*/g, "")) ? 10 : 1;
      throttleStatus = { maximumAvailable, currentlyAvailable: Math.floor(bucket.available), restoreRate };
      if (bucket.available < cost) {
        this.throttledCalls++;
        return json(200, {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus } },
        });
      }
      bucket.available -= cost;
      throttleStatus.currentlyAvailable = Math.floor(bucket.available);
    }
    const result = await executeAdmin(shop, request, this.mutations, version);
    const cost = (result as { extensions?: { cost?: { throttleStatus: unknown } } }).extensions?.cost;
    if (throttleStatus && cost) cost.throttleStatus = throttleStatus;
    this.graphqlCalls.push({
      shop: domain,
      operationName: request.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(request.query ?? "")?.[1] ?? null,
      query: request.query,
      variables: request.variables,
      errors: (result as { errors?: unknown }).errors ?? null,
    });
    const quota = INTEGRATION_OPERATIONS.has(operation) ? this.holdIntegrations?.[operation] : undefined;
    if (quota !== undefined && quota > 0) this.holdIntegrations![operation] = quota - 1;
    else if (quota !== undefined) {
      this.heldIntegrationCalls.push({ operation, variables: request.variables });
      this.heldAnswers.push(() => json(200, result));
      return;
    }
    json(200, result);
  }

  /** Stops holding and sends the withheld answers (to a socket that may be long gone). */
  releaseHeld() {
    this.holdIntegrations = null;
    for (const answer of this.heldAnswers.splice(0)) answer();
  }

  private index(): string {
    const rows = [...this.shops.values()]
      .map(
        (s) =>
          `<li><a href="/store/${s.domain.replace(".myshopify.com", "")}/apps/loyalty">${s.name}</a> <code>${s.domain}</code></li>`,
      )
      .join("");
    return `<!doctype html><meta charset="utf-8"><title>Store emulator</title><body style="font:15px system-ui;margin:3rem"><h1>Store emulator</h1><p>Shops:</p><ul>${rows}</ul></body>`;
  }

  private adminShell(shop: string, path: string, search = new URLSearchParams()): string {
    // The app's own query (a search, a page) rides along, as the real admin passes it to the frame.
    const extra = search.toString();
    const src = this.embeddedAppUrl(shop, `/app${path}`) + (extra ? `&${extra}` : "");
    const name = this.shops.get(shop)?.name ?? shop;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${name} · Loyalty Club · Shopify admin (emulated)</title><link rel="icon" href="data:,">
<style>
  body{margin:0;font:13px/1.4 -apple-system,BlinkMacSystemFont,"San Francisco","Segoe UI",Roboto,sans-serif;background:#f1f1f1;display:grid;grid-template:48px 1fr/240px 1fr;height:100vh}
  header{grid-column:1/3;background:#1a1a1a;color:#e3e3e3;display:flex;align-items:center;padding:0 16px;gap:12px}
  header b{color:#fff} header span{opacity:.7}
  nav{padding:12px 8px;background:#ebebeb} nav a{display:block;padding:6px 10px;border-radius:8px;color:#303030;text-decoration:none;font-weight:550}
  nav a.app{margin-top:8px} nav a.sub{padding-left:26px;font-weight:450} nav a[aria-current]{background:#fafafa}
  main{padding:0;overflow:hidden} iframe{border:0;width:100%;height:100%;background:#f1f1f1}
  #toast{position:fixed;bottom:24px;left:50%;transform:translateX(-50%);background:#1a1a1a;color:#fff;padding:10px 16px;border-radius:10px;display:none}
  #savebar{position:fixed;top:0;left:0;right:0;height:48px;background:#1a1a1a;color:#fff;display:none;align-items:center;gap:8px;padding:0 16px;z-index:10}
  #savebar span{margin-right:auto;font-weight:600} #savebar button{font:inherit;border-radius:8px;padding:6px 12px;border:1px solid #616161;background:#303030;color:#fff;cursor:pointer}
  #savebar button.primary{background:#fff;color:#1a1a1a;border-color:#fff} #savebar button:disabled{opacity:.5}
  #picker{width:min(560px,calc(100vw - 32px));border:0;border-radius:12px;padding:0;box-shadow:0 8px 32px rgba(0,0,0,.3)} #picker::backdrop{background:rgba(0,0,0,.45)}
  #picker form{display:flex;flex-direction:column;gap:10px;padding:16px} #picker h2{margin:0;font-size:15px}
  #picker input[type=search]{font:inherit;padding:8px 10px;border:1px solid #8a8a8a;border-radius:8px}
  #picker fieldset{border:0;margin:0;padding:0;max-height:55vh;overflow:auto} #picker ul{list-style:none;margin:0;padding:0}
  #picker li label{display:flex;align-items:center;gap:10px;padding:8px 4px;border-bottom:1px solid #ebebeb;cursor:pointer}
  #picker li img{width:40px;height:40px;border-radius:6px} #picker .price{margin-left:auto;color:#616161}
  .picker-actions{display:flex;justify-content:flex-end;gap:8px} .picker-actions button{font:inherit;border-radius:8px;padding:6px 12px;border:1px solid #8a8a8a;background:#fff;cursor:pointer}
  .picker-actions button.primary{background:#1a1a1a;color:#fff;border-color:#1a1a1a} .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  main{position:relative} #loading{position:absolute;top:0;left:0;height:3px;width:0;background:#2c6ecb;opacity:0;transition:width 2s ease-out,opacity .2s}
  #loading[data-on="true"]{width:80%;opacity:1}
  @media (max-width:700px){body{grid-template:48px 1fr/1fr} nav{display:none} header{grid-column:1}}
</style></head>
<body>
<header><b>Shopify</b><span>admin emulator · offline</span><span style="margin-left:auto">${name}</span></header>
<nav aria-label="Admin"><a href="#">Home</a><a href="#">Orders</a><a href="#">Customers</a><a class="app" aria-current="page" href="#">Loyalty Club</a><div id="appnav"></div></nav>
<main><div id="loading" role="progressbar" aria-label="Loading" aria-hidden="true"></div><iframe id="app" title="Loyalty Club" src="${src}"></iframe></main>
<div id="toast" role="status"></div>
<div id="savebar" role="region" aria-label="Unsaved changes"><span>Unsaved changes</span></div>
<dialog id="picker" aria-labelledby="picker-title"><form method="dialog">
  <h2 id="picker-title"></h2>
  <input id="picker-search" type="search" aria-label="Search" placeholder="Search">
  <fieldset><legend class="sr">Results</legend><ul id="picker-list"></ul></fieldset>
  <div class="picker-actions"><button type="button" id="picker-cancel">Cancel</button><button type="submit" id="picker-ok" class="primary"></button></div>
</form></dialog>
<script>
  const shop = ${JSON.stringify(shop)};
  const store = shop.replace(".myshopify.com", "");
  const frame = document.getElementById("app");
  // What Shopify adds to the frame's address, left out of the admin's.
  const SHOPIFY_PARAMS = ["embedded", "shop", "host", "id_token", "locale", "timestamp", "hmac", "session"];
  addEventListener("message", async (event) => {
    const m = event.data || {};
    if (m.type === "emulator:requestIdToken") {
      const { token } = await (await fetch("/admin/id-token?shop=" + encodeURIComponent(shop))).json();
      event.source.postMessage({ type: "emulator:idToken", id: m.id, token }, "*");
    }
    if (m.type === "emulator:nav") {
      const nav = document.getElementById("appnav");
      nav.replaceChildren(...m.links.filter((l) => !l.home).map((l) => {
        const a = document.createElement("a"); a.className = "sub"; a.href = "#"; a.textContent = l.label;
        a.onclick = (e) => { e.preventDefault(); frame.contentWindow.postMessage({ type: "emulator:navigate", href: l.href }, "*"); };
        return a;
      }));
    }
    if (m.type === "emulator:saveBar") {
      const bar = document.getElementById("savebar");
      bar.style.display = m.open ? "flex" : "none";
      bar.querySelectorAll("button").forEach((b) => b.remove());
      // Discard first, Save last, as in Shopify's admin.
      const order = m.buttons.map((b, index) => ({ ...b, index })).sort((a, b) => Number(a.primary) - Number(b.primary));
      for (const b of order) {
        const el = document.createElement("button");
        el.textContent = b.primary ? b.label || "Save" : b.label || "Discard";
        el.className = b.primary ? "primary" : "";
        el.disabled = !!b.disabled;
        el.onclick = () => frame.contentWindow.postMessage({ type: "emulator:saveBarAction", id: m.id, index: b.index }, "*");
        bar.appendChild(el);
      }
    }
    if (m.type === "emulator:location" && event.source === frame.contentWindow) {
      const url = new URL(m.path, location.origin);
      if (!url.pathname.startsWith("/app")) return;
      for (const p of SHOPIFY_PARAMS) url.searchParams.delete(p);
      history.replaceState(null, "", "/store/" + store + "/apps/loyalty" + url.pathname.slice(4) + url.search);
    }
    if (m.type === "emulator:loading") {
      const bar = document.getElementById("loading");
      bar.dataset.on = String(!!m.loading);
      bar.setAttribute("aria-hidden", String(!m.loading));
    }
    if (m.type === "emulator:open") {
      // The shop's admin URLs (https://<shop>/admin/…, shopify://admin/…) open the emulator's pages.
      const url = new URL(m.url);
      const admin = url.protocol === "shopify:" && url.host === "admin" ? url.pathname :
        url.host === shop && url.pathname.startsWith("/admin") ? url.pathname.slice("/admin".length) : null;
      location.href = admin === null ? url.href : "/store/" + store + admin + url.search;
    }
    if (m.type === "emulator:resourcePicker") openPicker(m.id, m.options || {});
    if (m.type === "emulator:toast") {
      const t = document.getElementById("toast"); t.textContent = m.message; t.style.display = "block";
      setTimeout(() => (t.style.display = "none"), 3000);
    }
  });
  // shopify.resourcePicker: drawn by the admin, as Shopify does, over the app; the selection goes
  // back to the app's App Bridge (undefined when cancelled).
  const picker = document.getElementById("picker");
  let pick = null;
  async function listPicker() {
    const { type, multiple, selectionIds } = pick.options;
    const query = document.getElementById("picker-search").value;
    const res = await fetch("/admin/resource-picker?type=" + encodeURIComponent(type) + "&query=" + encodeURIComponent(query));
    pick.resources = res.ok ? (await res.json()).resources : [];
    const chosen = new Set((selectionIds || []).map((s) => s.id));
    const list = document.getElementById("picker-list");
    list.replaceChildren(...pick.resources.map((r, i) => {
      const li = document.createElement("li"), label = document.createElement("label"), input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio"; input.name = "resource"; input.value = String(i);
      input.checked = chosen.has(r.id) || (r.variants || []).some((v) => chosen.has(v.id));
      const img = document.createElement("img");
      const src = (r.images && r.images[0]) || (r.product && r.product.images && r.product.images[0]);
      img.alt = ""; if (src) img.src = src.originalSrc;
      const name = document.createElement("span"); name.textContent = r.displayName || r.title;
      const price = document.createElement("span"); price.className = "price"; price.textContent = r.price || (r.variants && r.variants[0] && r.variants[0].price) || "";
      label.append(input, img, name, price); li.append(label); return li;
    }));
  }
  async function openPicker(id, options) {
    pick = { id, options, resources: [] };
    const noun = options.type === "variant" ? "variant" : "product";
    const verb = options.action === "select" ? "Select" : "Add";
    document.getElementById("picker-title").textContent = verb + " " + noun + (options.multiple ? "s" : "");
    document.getElementById("picker-ok").textContent = verb;
    document.getElementById("picker-search").value = options.query || "";
    await listPicker();
    picker.showModal();
    document.getElementById("picker-search").focus();
  }
  function closePicker(selection) {
    if (!pick) return;
    frame.contentWindow.postMessage({ type: "emulator:resourcePickerResult", id: pick.id, selection }, "*");
    pick = null;
    if (picker.open) picker.close();
  }
  let searchTimer;
  document.getElementById("picker-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(listPicker, 150); });
  document.getElementById("picker-cancel").onclick = () => closePicker(undefined);
  picker.addEventListener("cancel", () => closePicker(undefined));
  picker.querySelector("form").addEventListener("submit", () => {
    const picked = [...picker.querySelectorAll("input[name=resource]:checked")].map((i) => pick.resources[Number(i.value)]);
    const max = typeof pick.options.multiple === "number" ? pick.options.multiple : pick.options.multiple ? Infinity : 1;
    closePicker(picked.slice(0, max));
  });
</script>
</body></html>`;
  }
}
