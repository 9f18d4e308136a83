/* global parent, ResizeObserver */
// The `shopify` global a checkout or customer-account UI extension sees, standing in for Shopify's
// sandbox inside an iframe of the emulated storefront. The page that hosts the frame passes what
// Shopify would know (window.__EXT__: target, language, the extension's translations, the cart's
// cost, the order, the customer); session tokens and discount codes are asked of the storefront
// server, which signs tokens as Shopify does and applies codes as checkout would. Every call an
// extension makes is recorded in window.__calls for tests.
(() => {
  const ctx = window.__EXT__;
  const calls = (window.__calls = []);
  const record = (name, args) => calls.push({ name, args: JSON.parse(JSON.stringify(args ?? null)) });

  function signal(value) {
    const listeners = new Set();
    return {
      get value() {
        return value;
      },
      set(next) {
        value = next;
        for (const fn of listeners) fn(value);
      },
      subscribe(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    };
  }

  // Shopify's i18n: {{name}} replacements, plural forms chosen by `count` with the locale's rules.
  const locale = ctx.language;
  const lookup = (strings, key) => key.split(".").reduce((node, part) => node?.[part], strings);
  function translate(key, replacements = {}) {
    let value = lookup(ctx.translations, key) ?? lookup(ctx.fallbackTranslations, key);
    if (value && typeof value === "object" && typeof replacements.count === "number") {
      value =
        (replacements.count === 0 && value.zero) || value[new Intl.PluralRules(locale).select(replacements.count)] || value.other;
    }
    if (typeof value !== "string") return key;
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => String(replacements[name] ?? ""));
  }
  const i18n = {
    translate,
    formatNumber: (n, options) => new Intl.NumberFormat(locale, options).format(n),
    formatCurrency: (n, options) =>
      new Intl.NumberFormat(locale, { style: "currency", currency: ctx.currency, ...options }).format(n),
    formatDate: (d, options) => new Intl.DateTimeFormat(locale, options).format(d),
  };

  async function sessionToken() {
    record("sessionToken.get");
    const res = await fetch(`/_ext/session-token?surface=${ctx.surface}`);
    return (await res.json()).token;
  }

  const discountCodes = signal(ctx.discountCodes.map((code) => ({ code })));
  // The app's URL as the extension has it built in, pointed at the app this emulator runs against.
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = String(input);
    const routed = url.startsWith(ctx.builtInAppUrl) ? ctx.appUrl + url.slice(ctx.builtInAppUrl.length) : url;
    if (routed !== url)
      record("fetch", { method: init?.method ?? "GET", path: new URL(routed).pathname + new URL(routed).search });
    return realFetch(routed, init);
  };

  const language = signal({ isoCode: locale });
  const money = (amount) => ({ amount, currencyCode: ctx.currency });
  // The order-level discounts, as checkout allocates them ({code, amount} from the storefront).
  const allocated = (list) => list.map((a) => ({ type: "code", code: a.code, discountedAmount: money(a.amount) }));
  const discountAllocations = signal(allocated(ctx.discountAllocations ?? []));
  window.shopify = {
    extension: { target: ctx.target },
    i18n,
    localization: { language, extensionLanguage: language },
    sessionToken: { get: sessionToken },
    cost: { subtotalAmount: signal(money(ctx.subtotal)), totalAmount: signal(money(ctx.subtotal)) },
    discountCodes,
    discountAllocations,
    instructions: signal({ discounts: { canUpdateDiscountCodes: ctx.canUpdateDiscountCodes } }),
    buyerIdentity: { customer: signal(ctx.customerId ? { id: `gid://shopify/Customer/${ctx.customerId}` } : undefined) },
    authenticatedAccount: { customer: signal(ctx.customerId ? { id: `gid://shopify/Customer/${ctx.customerId}` } : undefined) },
    orderConfirmation: signal(
      ctx.orderId
        ? { order: { id: `gid://shopify/OrderIdentity/${ctx.orderId}` }, number: ctx.orderName, isFirstOrder: false }
        : undefined,
    ),
    order: signal(ctx.orderId ? { id: `gid://shopify/Order/${ctx.orderId}`, name: ctx.orderName } : undefined),
    async applyDiscountCodeChange(change) {
      record("applyDiscountCodeChange", change);
      const res = await fetch("/_ext/discount", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(change),
      });
      const result = await res.json();
      if (result.type === "success") {
        discountCodes.set(result.codes.map((code) => ({ code })));
        discountAllocations.set(allocated(result.allocations ?? []));
        parent.postMessage({ type: "loyalty-ext:discount-changed" }, "*");
      }
      return result;
    },
    // The bundle registers each target it implements; the frame runs the one it hosts.
    extend(target, render) {
      if (target === ctx.target) Promise.resolve(render()).catch((error) => record("error", String(error)));
    },
  };

  window.__navigate = (href) => {
    record("navigate", href);
    const to = ctx.links[href];
    if (to) parent.location.assign(to);
  };

  // The frame grows with what the extension renders, as Shopify's does.
  new ResizeObserver(() =>
    parent.postMessage({ type: "loyalty-ext:height", id: ctx.frameId, height: document.documentElement.scrollHeight }, "*"),
  ).observe(document.documentElement);
})();
