// An Online Store 2.0 storefront for one emulated shop: renders the theme app extension's real
// Liquid (liquidjs) and assets, logs a customer in, puts the app proxy in front of the app
// (signing as Shopify does), keeps a cart that takes discount codes, and turns the cart into an
// order whose orders/paid webhook goes to the app. Tests and the demo only.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Liquid, Tag, type Context, type Emitter, type TagToken, type TopLevelToken } from "liquidjs";
import { frameDocument, frameTag, hostFile, uiExtensions, UI_EXTENSIONS, type UiExtension } from "./extension-host.ts";
import { discountMinor, runDiscountFunction } from "./functions.ts";
import { orderPayload, subtotalMinor, type Order } from "./payloads.ts";
import { readBody, type StoreEmulator } from "./server.ts";
import { checkoutSessionToken } from "./signing.ts";
import { CATALOG as catalog, type EmulatedShop } from "./store.ts";

const EXTENSION = path.resolve(import.meta.dirname, "../../extensions/loyalty-theme");
const LAYOUT = readFileSync(path.join(import.meta.dirname, "theme/layout.liquid"), "utf8");
const RTL = new Set(["fa", "ar", "he", "ur"]);
/** The id of the host page's frame for each target (frameTag's id), so the frame can report its height. */
const FRAME_IDS: Record<string, string> = {
  "purchase.checkout.reductions.render-after": "checkout-reductions",
  "purchase.thank-you.block.render": "thank-you-block",
  "customer-account.page.render": "account-page",
  "customer-account.order-index.block.render": "order-index-block",
  "customer-account.order-status.block.render": "order-status-block",
};
const frameIdFor = (target: string) => FRAME_IDS[target] ?? target;
/** A code's order-level allocation as checkout's `discountAllocations` has it (free shipping: none here). */
const allocationsOf = (applied: { code: string; amountMinor: number } | null) =>
  applied && applied.amountMinor > 0 ? [{ code: applied.code, amount: applied.amountMinor / 100 }] : [];
type NavText = Record<
  | "shop"
  | "login"
  | "cart"
  | "add"
  | "checkout"
  | "empty"
  | "discount"
  | "subtotal"
  | "shipping"
  | "total"
  | "thanks"
  | "pay"
  | "orders"
  | "loyalty",
  string
>;
const NAV: Record<string, NavText> = {
  en: {
    shop: "Shop",
    login: "Log in",
    cart: "Cart",
    add: "Add to cart",
    checkout: "Check out",
    empty: "Your cart is empty",
    discount: "Discount",
    subtotal: "Subtotal",
    shipping: "Shipping",
    total: "Total",
    thanks: "Thank you for your order",
    pay: "Pay now",
    orders: "Orders",
    loyalty: "Loyalty Club",
  },
  de: {
    shop: "Shop",
    login: "Anmelden",
    cart: "Warenkorb",
    add: "In den Warenkorb",
    checkout: "Zur Kasse",
    empty: "Ihr Warenkorb ist leer",
    discount: "Rabatt",
    subtotal: "Zwischensumme",
    shipping: "Versand",
    total: "Gesamt",
    thanks: "Danke für Ihre Bestellung",
    pay: "Jetzt bezahlen",
    orders: "Bestellungen",
    loyalty: "Treueclub",
  },
  fa: {
    shop: "فروشگاه",
    login: "ورود",
    cart: "سبد خرید",
    add: "افزودن به سبد",
    checkout: "پرداخت",
    empty: "سبد خرید خالی است",
    discount: "تخفیف",
    subtotal: "جمع جزء",
    shipping: "ارسال",
    total: "جمع کل",
    thanks: "از سفارش شما سپاسگزاریم",
    pay: "پرداخت و ثبت سفارش",
    orders: "سفارش‌ها",
    loyalty: "باشگاه مشتریان",
  },
};

/** A discount as the emulator stored it: the GraphQL input the app sent, as plain JSON. */
interface StoredDiscount {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  input: Record<string, any>;
  usageCount: number;
  kind: string;
}

interface CartLine {
  handle: string;
  title: string;
  variantId: number;
  priceMinor: number;
  quantity: number;
}
interface Session {
  customerId: number | null;
  lines: CartLine[];
  discountCode: string | null;
  locale: string;
}

/** liquidjs does not know Shopify's {% schema %}: parse it away, render nothing. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    while (remain.length) {
      const t = remain.shift()!;
      if ((t as TagToken).name === "endschema") return;
    }
    throw new Error("schema tag not closed");
  }
  *render(_ctx: Context, _emitter: Emitter) {}
}

function translations(locale: string): Record<string, unknown> {
  const file = locale === "en" ? "en.default.json" : `${locale}.json`;
  try {
    return JSON.parse(readFileSync(path.join(EXTENSION, "locales", file), "utf8"));
  } catch {
    return JSON.parse(readFileSync(path.join(EXTENSION, "locales", "en.default.json"), "utf8"));
  }
}

function schemaDefaults(block: string): Record<string, unknown> {
  const source = readFileSync(path.join(EXTENSION, "blocks", `${block}.liquid`), "utf8");
  const schema = JSON.parse(/\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(source)![1]!);
  return Object.fromEntries((schema.settings as Array<{ id: string; default?: unknown }>).map((s) => [s.id, s.default ?? ""]));
}

export class Storefront {
  url = "";
  readonly orders: Order[] = [];
  /** merchant's theme-editor settings for the launcher embed (defaults from its schema) */
  launcherSettings: Record<string, unknown> = schemaDefaults("launcher");
  /** whether checkout lets extensions change discount codes (Shopify's instructions.discounts) */
  discountCodesEditable = true;
  /** product tags by handle, as the merchant set them (members-only rules match on them) */
  readonly productTags = new Map<string, string[]>();
  private server?: http.Server;
  private readonly sessions = new Map<string, Session>();
  private readonly liquid = new Liquid({
    root: [path.join(EXTENSION, "blocks")],
    partials: [path.join(EXTENSION, "snippets")],
    extname: ".liquid",
    strictFilters: true,
    cache: false,
  });
  private nextOrder = 1;
  private readonly emulator: StoreEmulator;
  private readonly domain: string;

  constructor(emulator: StoreEmulator, domain: string) {
    this.emulator = emulator;
    this.domain = domain;
    this.liquid.registerTag("schema", SchemaTag);
    this.liquid.registerFilter("asset_url", (name: string) => `/extensions/loyalty-theme/assets/${name}`);
    this.liquid.registerFilter("money", (cents: number) => (cents / 100).toFixed(2));
    this.liquid.registerFilter("t", function (this: { context: Context }, key: string, ...args: unknown[]) {
      // A snippet ({% render %}) sees only its own arguments and the globals, where the page's texts are.
      const scope = { ...(this.context.globals as object), ...(this.context.environments as object) } as {
        __translations: Record<string, unknown>;
        request?: { locale?: { iso_code?: string } };
      };
      const strings = scope.__translations;
      let value: unknown = strings;
      for (const part of key.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
      const vars = Object.fromEntries(args.filter((a): a is [string, unknown] => Array.isArray(a)));
      // Shopify's pluralised translations: { one, other, … } chosen by `count` and the locale's rules.
      if (typeof value === "object" && value !== null && typeof vars.count === "number") {
        const forms = value as Record<string, string>;
        const locale = scope.request?.locale?.iso_code;
        value = (vars.count === 0 && forms.zero) || forms[new Intl.PluralRules(locale ?? "en").select(vars.count)] || forms.other;
      }
      if (typeof value !== "string") return key;
      return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => String(vars[k] ?? ""));
    });
  }

  get shop(): EmulatedShop {
    return this.emulator.shop(this.domain);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error) => {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(String(error?.stack ?? error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private session(req: http.IncomingMessage, res: http.ServerResponse): Session {
    const id = /(?:^|;\s*)sf_session=([a-f0-9]+)/.exec(req.headers.cookie ?? "")?.[1];
    let s = id ? this.sessions.get(id) : undefined;
    if (!s) {
      const fresh = randomBytes(12).toString("hex");
      s = { customerId: null, lines: [], discountCode: null, locale: "en" };
      this.sessions.set(fresh, s);
      res.setHeader("Set-Cookie", `sf_session=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    }
    return s;
  }

  /** The code on the cart as checkout would apply it (null when it does not apply). */
  private async discountFor(s: Session) {
    if (!s.discountCode) return null;
    const d = this.shop.discountCodes.get(s.discountCode) as StoredDiscount | undefined;
    if (!d) return null;
    const ctx = d.input.context ?? {};
    const allowed =
      ctx.all === "ALL" ||
      (s.customerId !== null && (ctx.customers?.add ?? []).includes(`gid://shopify/Customer/${s.customerId}`));
    if (!allowed || (d.input.usageLimit && d.usageCount >= d.input.usageLimit)) return null;
    const subtotal = s.lines.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
    const minimum = d.input.minimumRequirement?.subtotal?.greaterThanOrEqualToSubtotal;
    if (minimum && subtotal < Math.round(Number(minimum) * 100)) return null;
    const applied = (amountMinor: number) => ({
      code: s.discountCode!,
      amountMinor,
      freeShipping: d.kind === "freeShippingCodeDiscount",
      record: d,
    });
    if (d.kind === "freeShippingCodeDiscount") return applied(0);
    if (d.kind === "codeAppDiscount") {
      const decimal = (minor: number) => (minor / 100).toFixed(2);
      const cart = {
        subtotal: decimal(subtotal),
        currencyCode: this.shop.currency,
        lines: s.lines.map((l, i) => ({
          id: `gid://shopify/CartLine/${i + 1}`,
          quantity: l.quantity,
          unitPrice: decimal(l.priceMinor),
          variantId: `gid://shopify/ProductVariant/${l.variantId}`,
        })),
      };
      const result = await runDiscountFunction(d.input.functionHandle, {
        cart,
        discountClasses: d.input.discountClasses ?? [],
        metafields: d.input.metafields ?? [],
        triggeringDiscountCode: s.discountCode,
      });
      const amount = discountMinor(result, cart);
      return amount > 0 ? applied(amount) : null;
    }
    const value = d.input.customerGets?.value ?? {};
    // Items: the whole cart, or only the listed variants.
    const variants: string[] | undefined = d.input.customerGets?.items?.products?.productVariantsToAdd;
    const eligible = variants
      ? s.lines
          .filter((l) => variants.includes(`gid://shopify/ProductVariant/${l.variantId}`))
          .reduce((sum, l) => sum + l.priceMinor * l.quantity, 0)
      : subtotal;
    if (eligible === 0) return null;
    return applied(
      value.discountAmount
        ? Math.min(eligible, Math.round(Number(value.discountAmount.amount) * 100))
        : Math.round(eligible * (value.percentage ?? 0)),
    );
  }

  /** What every template of a page sees: Shopify's global objects (snippets see them too). */
  private globalsFor(s: Session): Record<string, unknown> {
    const locale = s.locale;
    const known = s.customerId !== null ? this.shop.customers.get(s.customerId) : undefined;
    // As Liquid's customer object: tags are a list.
    const customer =
      s.customerId !== null
        ? {
            ...(known ?? { id: s.customerId, first_name: `Customer ${s.customerId}` }),
            tags: (known?.tags ?? "")
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : null;
    const program = this.shop.appMetafields.get("loyalty.program");
    const membersOnly = this.shop.appMetafields.get("loyalty.members_only");
    return {
      __translations: translations(locale),
      shop: { name: this.shop.name, permanent_domain: this.domain },
      customer,
      request: { locale: { iso_code: locale } },
      routes: { root_url: "/", account_login_url: "/account/login", cart_url: "/cart" },
      app: {
        metafields: {
          loyalty: { program: program ? { value: program } : null, members_only: membersOnly ? { value: membersOnly } : null },
        },
      },
      cart: { item_count: s.lines.reduce((n, l) => n + l.quantity, 0) },
      nav: NAV[locale] ?? NAV.en,
      direction: RTL.has(locale) ? "rtl" : "ltr",
    };
  }

  /** A theme app block as the theme renders it, with its settings (defaults from its schema). */
  private block(s: Session, name: string, extra: Record<string, unknown> = {}, settings = schemaDefaults(name)) {
    const globals = this.globalsFor(s);
    return this.liquid.renderFile(name, { ...globals, ...extra, block: { settings } }, { globals });
  }

  private async page(s: Session, title: string, content: string, extra: Record<string, unknown> = {}) {
    const globals = this.globalsFor(s);
    const scope = { ...globals, page_title: title, ...extra };
    const embed = await this.block(s, "launcher", {}, this.launcherSettings);
    const body = await this.liquid.parseAndRender(content, scope, { globals });
    return this.liquid.parseAndRender(LAYOUT, { ...scope, content_for_layout: body, content_for_body_end: embed }, { globals });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const body = await readBody(req);
    const s = this.session(req, res);
    if (url.searchParams.get("locale")) s.locale = url.searchParams.get("locale")!;
    const html = (text: string, status = 200) => {
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(text);
    };
    const redirect = (to: string) => {
      res.writeHead(303, { Location: to });
      res.end();
    };
    const nav = NAV[s.locale] ?? NAV.en!;

    if (url.pathname.startsWith("/extensions/loyalty-theme/assets/")) {
      const name = path.basename(url.pathname);
      const type = name.endsWith(".js") ? "text/javascript" : "text/css";
      res.writeHead(200, { "Content-Type": type, "Cache-Control": "public, max-age=300" });
      return res.end(readFileSync(path.join(EXTENSION, "assets", name)));
    }
    if (url.pathname.startsWith("/apps/loyalty/")) {
      // The app proxy: Shopify forwards with the logged-in customer and its signature.
      const answer = await this.emulator.proxy(this.domain, url.pathname.replace("/apps/loyalty/", "") + url.search, {
        customerId: s.customerId !== null ? String(s.customerId) : null,
        method: req.method,
        rawBody: body || undefined,
        contentType: req.headers["content-type"] ?? null,
      });
      res.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "application/json" });
      return res.end(await answer.text());
    }
    if (url.pathname === "/account/login") {
      const id = Number(url.searchParams.get("customer") ?? [...this.shop.customers.keys()][0] ?? 7001);
      s.customerId = id;
      return redirect(url.searchParams.get("return_to") ?? "/account");
    }
    if (url.pathname === "/account/logout") {
      s.customerId = null;
      return redirect("/");
    }
    if (url.pathname.startsWith("/discount/")) {
      s.discountCode = decodeURIComponent(url.pathname.slice("/discount/".length)).toUpperCase();
      return redirect(url.searchParams.get("redirect") ?? "/");
    }
    if (url.pathname === "/cart/add" && req.method === "POST") {
      const handle = new URLSearchParams(body).get("handle") ?? "";
      const product = catalog.find((p) => p.handle === handle);
      if (product) {
        const line = s.lines.find((l) => l.handle === handle);
        if (line) line.quantity++;
        else
          s.lines.push({
            handle,
            title: product.title,
            variantId: product.variantId,
            priceMinor: product.priceMinor,
            quantity: 1,
          });
      }
      return redirect("/cart");
    }
    if (url.pathname === "/cart.js") {
      const d = await this.discountFor(s);
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(
        JSON.stringify({
          item_count: s.lines.length,
          currency: this.shop.currency,
          items_subtotal_price: s.lines.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0),
          total_price: s.lines.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0) - (d?.amountMinor ?? 0),
          discount_code: s.discountCode,
          discount_applied: Boolean(d),
          total_discount: d?.amountMinor ?? 0,
        }),
      );
    }
    if (url.pathname === "/cart") {
      const d = await this.discountFor(s);
      const subtotal = s.lines.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
      const rows = s.lines
        .map(
          (l) =>
            `<tr><td>${l.title} × ${l.quantity}</td><td class="num">${((l.priceMinor * l.quantity) / 100).toFixed(2)}</td></tr>`,
        )
        .join("");
      const content = s.lines.length
        ? `<h1>${nav.cart}</h1><table data-cart>${rows}
            <tr><td>${nav.subtotal}</td><td class="num">${(subtotal / 100).toFixed(2)}</td></tr>
            ${s.discountCode ? `<tr data-cart-discount="${s.discountCode}" data-applied="${Boolean(d)}"><td>${nav.discount} <code>${s.discountCode}</code>${d ? "" : " (not applicable)"}</td><td class="num">−${((d?.amountMinor ?? 0) / 100).toFixed(2)}</td></tr>` : ""}
            <tr><td><strong>${nav.total}</strong></td><td class="num"><strong>${((subtotal - (d?.amountMinor ?? 0)) / 100).toFixed(2)}</strong></td></tr></table>
            <form method="get" action="/checkout" style="margin-top:20px"><button class="btn" type="submit">${nav.checkout}</button></form>`
        : `<h1>${nav.cart}</h1><p>${nav.empty}</p>${s.discountCode ? `<p data-cart-discount="${s.discountCode}">${nav.discount}: <code>${s.discountCode}</code></p>` : ""}`;
      return html(await this.page(s, nav.cart, content));
    }
    if (url.pathname === "/checkout" && req.method === "POST") {
      const order = await this.placeOrder(s);
      if (!order) return redirect("/cart");
      const res2 = await this.emulator.sendWebhook(this.domain, "orders/paid", orderPayload(order));
      if (res2.status !== 200) throw new Error(`orders/paid answered ${res2.status}`);
      return redirect(`/checkout/thank-you?order=${order.number}`);
    }
    if (url.pathname === "/checkout/thank-you") {
      const number = url.searchParams.get("order");
      const frame = frameTag(
        "thank-you-block",
        `/_ext/frame?ext=loyalty-thank-you&target=purchase.thank-you.block.render&order=${number}`,
        nav.loyalty,
      );
      return html(await this.page(s, nav.thanks, `<h1 data-thank-you>${nav.thanks}</h1><p>#${number}</p>${frame}`));
    }
    if (url.pathname === "/checkout" && req.method === "GET") {
      if (s.lines.length === 0) return redirect("/cart");
      const frame = frameTag(
        "checkout-reductions",
        "/_ext/frame?ext=loyalty-checkout&target=purchase.checkout.reductions.render-after",
        nav.loyalty,
      );
      return html(
        await this.page(
          s,
          nav.checkout,
          `<h1>${nav.checkout}</h1><div class="checkout"><section id="summary">${await this.summary(s)}</section>
          <section class="reductions" style="margin-block:16px;padding:16px;background:#fff;border:1px solid var(--line);border-radius:12px">${frame}</section>
          <form method="post" action="/checkout"><button class="btn" type="submit">${nav.pay}</button></form></div>
          <script>addEventListener("message", async (e) => { if (e.data?.type === "loyalty-ext:discount-changed") document.getElementById("summary").innerHTML = await (await fetch("/checkout/summary")).text(); });</script>`,
        ),
      );
    }
    if (url.pathname === "/checkout/summary") return html(await this.summary(s));
    if (url.pathname.startsWith("/_ext/")) return this.extensionRoute(s, url, req, body, res);
    const orderStatus = /^\/account\/orders\/(\d+)$/.exec(url.pathname);
    if (orderStatus) {
      const placed = this.orders.find((o) => String(o.number) === orderStatus[1] && o.customer?.id === s.customerId);
      if (!placed) return html("Not found", 404);
      const frame = frameTag(
        "order-status-block",
        `/_ext/frame?ext=loyalty-thank-you&target=customer-account.order-status.block.render&order=${placed.number}`,
        nav.loyalty,
      );
      return html(await this.page(s, `#${placed.number}`, `<h1 data-order-status>#${placed.number}</h1>${frame}`));
    }
    if (url.pathname === "/account/loyalty" || url.pathname === "/account/orders") {
      if (s.customerId === null) return redirect(`/account/login?return_to=${url.pathname}`);
      const full = url.pathname === "/account/loyalty";
      const frame = full
        ? frameTag("account-page", "/_ext/frame?ext=loyalty-account&target=customer-account.page.render", nav.loyalty)
        : frameTag(
            "order-index-block",
            "/_ext/frame?ext=loyalty-account&target=customer-account.order-index.block.render",
            nav.loyalty,
          );
      const mine = this.orders.filter((o) => o.customer?.id === s.customerId).reverse();
      const list = full
        ? ""
        : `<h1>${nav.orders}</h1>${frame}<table style="margin-top:16px">${mine.map((o) => `<tr><td><a href="/account/orders/${o.number}">#${o.number}</a></td><td class="num">${(subtotalMinor(o) / 100).toFixed(2)}</td></tr>`).join("")}</table>`;
      return html(await this.page(s, full ? nav.loyalty : nav.orders, full ? frame : list));
    }
    const productMatch = /^\/products\/([a-z0-9-]+)$/.exec(url.pathname);
    if (productMatch) {
      const p = catalog.find((x) => x.handle === productMatch[1]);
      if (!p) return html("Not found", 404);
      const product = {
        title: p.title,
        handle: p.handle,
        selected_or_first_available_variant: { id: p.variantId, price: p.priceMinor },
        tags: this.productTags.get(p.handle) ?? [],
      };
      const earn = await this.block(s, "earn-points", { product });
      const lock = await this.block(s, "members-only", { product });
      const content = `<div class="product"><div class="swatch" role="img" aria-label="{{ product.title }}"></div><div><h1>{{ product.title }}</h1><p style="font:600 20px system-ui">{{ product.selected_or_first_available_variant.price | money }} ${this.shop.currency}</p>${earn}${lock}
        <form method="post" action="/cart/add"><input type="hidden" name="handle" value="{{ product.handle }}"><button class="btn" type="submit">${nav.add}</button></form></div></div>`;
      return html(await this.page(s, p.title, content, { product }));
    }
    if (url.pathname === "/account") {
      if (s.customerId === null) return redirect("/account/login");
      // The classic account page (templates/customers/account) with the app's balance and account blocks.
      const balance = await this.block(s, "points-balance");
      const account = await this.block(s, "account");
      return html(
        await this.page(
          s,
          "Account",
          `<h1>{{ customer.first_name }}</h1>${balance}${account}<p><a href="/account/logout">Log out</a></p>`,
        ),
      );
    }
    if (url.pathname === "/") {
      const cards = catalog
        .map(
          (p) =>
            `<a class="card" href="/products/${p.handle}" style="color:inherit;text-decoration:none"><div class="swatch"></div><strong>${p.title}</strong><div>${(p.priceMinor / 100).toFixed(2)} ${this.shop.currency}</div></a>`,
        )
        .join("");
      return html(await this.page(s, this.shop.name, `<div class="grid">${cards}</div>`));
    }
    html("Not found", 404);
  }

  /** The checkout's order summary: lines, the discount code as applied, totals. */
  private async summary(s: Session): Promise<string> {
    const nav = NAV[s.locale] ?? NAV.en!;
    const d = await this.discountFor(s);
    const subtotal = s.lines.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
    const rows = s.lines
      .map(
        (l) =>
          `<tr><td>${l.title} × ${l.quantity}</td><td class="num">${((l.priceMinor * l.quantity) / 100).toFixed(2)}</td></tr>`,
      )
      .join("");
    return `<table data-checkout>${rows}<tr><td>${nav.subtotal}</td><td class="num">${(subtotal / 100).toFixed(2)}</td></tr>
      ${s.discountCode ? `<tr data-checkout-discount="${s.discountCode}" data-applied="${Boolean(d)}"><td>${nav.discount} <code>${s.discountCode}</code></td><td class="num">−${((d?.amountMinor ?? 0) / 100).toFixed(2)}</td></tr>` : ""}
      <tr><td><strong>${nav.total}</strong></td><td class="num"><strong data-checkout-total>${((subtotal - (d?.amountMinor ?? 0)) / 100).toFixed(2)}</strong></td></tr></table>`;
  }

  /** What Shopify's sandbox gives an extension frame: its document, bundle, session token and discount codes. */
  private async extensionRoute(s: Session, url: URL, req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    const send = (status: number, type: string, text: string | Buffer) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(text);
    };
    const json = (value: unknown) => send(200, "application/json", JSON.stringify(value));
    const [, , kind, name = ""] = url.pathname.split("/");
    if (kind === "host") {
      const file = hostFile(name);
      return file ? send(200, file.type, file.body) : send(404, "text/plain", "not found");
    }
    if (kind === "bundle") {
      const ext = (await uiExtensions()).get(name.replace(/\.js$/, "") as UiExtension);
      return ext ? send(200, "text/javascript", ext.js) : send(404, "text/plain", "not found");
    }
    if (kind === "session-token") {
      // As Shopify signs them: dest is the shop's domain, sub the logged-in customer (absent for a guest).
      const { apiKey, apiSecret } = this.emulator.options;
      const customer = s.customerId !== null ? String(s.customerId) : null;
      return json({ token: checkoutSessionToken(this.domain, apiKey, apiSecret, customer) });
    }
    if (kind === "discount" && req.method === "POST") {
      const change = JSON.parse(body || "{}") as { type?: string; code?: string };
      if (change.type === "removeDiscountCode") {
        s.discountCode = null;
        return json({ type: "success", codes: [], allocations: [] });
      }
      const previous = s.discountCode;
      s.discountCode = String(change.code ?? "").toUpperCase();
      const applied = await this.discountFor(s);
      if (!applied) {
        s.discountCode = previous;
        return json({ type: "error", message: "Discount code isn't valid for this checkout" });
      }
      return json({ type: "success", codes: [s.discountCode], allocations: allocationsOf(applied) });
    }
    if (kind === "frame") {
      const handle = url.searchParams.get("ext") as UiExtension;
      const ext = UI_EXTENSIONS.includes(handle) ? (await uiExtensions()).get(handle)! : null;
      if (!ext) return send(404, "text/plain", "not found");
      const target = url.searchParams.get("target") ?? "";
      const order = this.orders.find((o) => String(o.number) === url.searchParams.get("order"));
      const cartSubtotal = s.lines.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
      const html = frameDocument(ext, {
        frameId: url.searchParams.get("id") ?? frameIdFor(target),
        target,
        surface: target.startsWith("purchase.") ? "checkout" : "customer-account",
        language: s.locale,
        currency: this.shop.currency,
        subtotal: (order ? subtotalMinor(order) : cartSubtotal) / 100,
        customerId: s.customerId,
        discountCodes: s.discountCode ? [s.discountCode] : [],
        discountAllocations: order ? [] : allocationsOf(await this.discountFor(s)),
        canUpdateDiscountCodes: this.discountCodesEditable,
        orderId: order?.id ?? null,
        orderName: order ? `#${order.number}` : null,
        appUrl: this.emulator.options.appUrl,
        links: { "extension:loyalty-account/": "/account/loyalty" },
      });
      return send(200, "text/html; charset=utf-8", html);
    }
    send(404, "text/plain", "not found");
  }

  private async placeOrder(s: Session): Promise<Order | null> {
    if (s.lines.length === 0) return null;
    const d = await this.discountFor(s);
    const known = s.customerId !== null ? this.shop.customers.get(s.customerId) : undefined;
    const customer =
      s.customerId !== null
        ? (known ?? {
            id: s.customerId,
            email: `customer${s.customerId}@example.com`,
            first_name: "Customer",
            last_name: String(s.customerId),
            tags: "",
            created_at: new Date().toISOString(),
            phone: null,
          })
        : null;
    const n = this.nextOrder++;
    const order: Order = {
      id: 6_600_000_000 + n,
      number: 9000 + n,
      customer,
      email: customer?.email ?? "guest@example.net",
      created_at: new Date().toISOString(),
      currency: this.shop.currency,
      presentment_currency: this.shop.currency,
      rate: 1,
      lines: s.lines.map((l, i) => ({
        id: n * 100 + i,
        product_id: 8_000_000,
        variant_id: l.variantId,
        title: l.title,
        quantity: l.quantity,
        unitMinor: l.priceMinor,
      })),
      discountMinor: d?.amountMinor ?? 0,
      discountCode: d?.code ?? null,
      shippingMinor: d?.freeShipping ? 0 : 695,
      taxMinor: 0,
      test: false,
      financial_status: "paid",
      cancelled_at: null,
    };
    order.taxMinor = Math.round(subtotalMinor(order) * 0.08);
    if (d) d.record.usageCount++;
    this.orders.push(order);
    s.lines = [];
    s.discountCode = null;
    return order;
  }
}
