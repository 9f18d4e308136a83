// Stand-in for Shopify's App Bridge script, served by the store emulator (APP_BRIDGE_URL).
// Like the real one it gives the embedded app `shopify.idToken()`, adds the id token to the
// app's own fetches, shows toasts and hands the nav menu to the admin frame around it.
(() => {
  const script = document.currentScript;
  const apiKey = script && script.dataset.apiKey;
  const params = new URLSearchParams(location.search);
  // The app is framed cross-site, so storage may be off limits: remember the shop in memory and
  // in the frame's name, which survives the app's own navigations.
  const shop = params.get("shop") || window.name.replace(/^emulator-shop:/, "") || null;
  if (shop) window.name = `emulator-shop:${shop}`;
  const framed = window.parent !== window;
  let seq = 0;
  const waiting = new Map();

  addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const m = event.data || {};
    if (m.type === "emulator:idToken" && waiting.has(m.id)) {
      waiting.get(m.id)(m.token);
      waiting.delete(m.id);
    }
    if (m.type === "emulator:navigate") {
      const a = document.createElement("a");
      a.setAttribute("href", m.href);
      document.body.appendChild(a);
      a.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
      a.remove();
    }
  });

  function idToken() {
    if (!framed) return Promise.reject(new Error("not inside the admin"));
    return new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      window.parent.postMessage({ type: "emulator:requestIdToken", id, shop }, "*");
    });
  }

  window.shopify = {
    config: { apiKey, shop },
    idToken,
    toast: { show: (message) => window.parent.postMessage({ type: "emulator:toast", message }, "*") },
    loading: () => {},
  };

  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url, location.href);
    if (url.origin !== location.origin || !framed) return nativeFetch(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${await idToken()}`);
    return nativeFetch(input, { ...init, headers });
  };

  customElements.define(
    "ui-nav-menu",
    class extends HTMLElement {
      connectedCallback() {
        this.style.display = "none";
        queueMicrotask(() =>
          window.parent.postMessage(
            {
              type: "emulator:nav",
              links: [...this.querySelectorAll("a")].map((a) => ({
                label: a.textContent,
                href: a.getAttribute("href"),
                home: a.getAttribute("rel") === "home",
              })),
            },
            "*",
          ),
        );
      }
    },
  );
})();
