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
    if (m.type === "emulator:saveBarAction") {
      const bar = document.getElementById(m.id);
      const button = bar && bar.querySelectorAll("button")[m.index];
      if (button) button.click();
    }
    if (m.type === "emulator:resourcePickerResult" && picking.has(m.id)) {
      picking.get(m.id)(m.selection);
      picking.delete(m.id);
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

  // The contextual save bar: like Shopify's it is drawn by the admin around the app, from the
  // element's buttons (the first marked variant="primary" is Save); clicks come back to them.
  const saveBars = new Map();
  function postSaveBar(el, open) {
    const buttons = [...el.querySelectorAll("button")].map((b) => ({
      label: b.textContent,
      primary: b.getAttribute("variant") === "primary",
      disabled: b.disabled,
    }));
    window.parent.postMessage({ type: "emulator:saveBar", id: el.id, open, buttons }, "*");
  }
  customElements.define(
    "ui-save-bar",
    class extends HTMLElement {
      connectedCallback() {
        this.style.display = "none";
        saveBars.set(this.id, this);
        this.observer = new window.MutationObserver(() => {
          if (this.showing) postSaveBar(this, true);
        });
        this.observer.observe(this, { subtree: true, childList: true, attributes: true, characterData: true });
      }
      disconnectedCallback() {
        if (this.observer) this.observer.disconnect();
        if (this.showing) postSaveBar(this, false);
        saveBars.delete(this.id);
      }
      get showing() {
        return this._showing === true;
      }
      async show() {
        this._showing = true;
        postSaveBar(this, true);
        this.dispatchEvent(new CustomEvent("show"));
      }
      async hide() {
        if (!this._showing) return;
        this._showing = false;
        postSaveBar(this, false);
        this.dispatchEvent(new CustomEvent("hide"));
      }
      async toggle() {
        return this.showing ? this.hide() : this.show();
      }
    },
  );

  // shopify.resourcePicker(options): the admin draws the picker over the app (emulator:resourcePicker)
  // and answers the resources chosen, as App Bridge's SelectPayload (the array, also as its
  // deprecated `selection`), or undefined when the merchant cancels.
  const picking = new Map();
  function resourcePicker(options) {
    if (!framed) return Promise.reject(new Error("not inside the admin"));
    if (!options || !["product", "variant", "collection"].includes(options.type))
      return Promise.reject(new TypeError("resourcePicker needs a type: product, variant or collection"));
    return new Promise((resolve) => {
      const id = ++seq;
      picking.set(id, (selection) => {
        if (!selection) return resolve(undefined);
        resolve(Object.assign(selection.slice(), { selection }));
      });
      const { type, action, multiple, query, selectionIds, filter } = options;
      window.parent.postMessage(
        { type: "emulator:resourcePicker", id, options: { type, action, multiple, query, selectionIds, filter } },
        "*",
      );
    });
  }

  window.shopify = {
    config: { apiKey, shop },
    idToken,
    resourcePicker,
    toast: { show: (message) => window.parent.postMessage({ type: "emulator:toast", message }, "*"), hide: () => {} },
    saveBar: {
      show: async (id) => saveBars.get(id) && saveBars.get(id).show(),
      hide: async (id) => saveBars.get(id) && saveBars.get(id).hide(),
      toggle: async (id) => saveBars.get(id) && saveBars.get(id).toggle(),
      leaveConfirmation: async () => {},
    },
    // The admin's loading bar above the app.
    loading: (isLoading = true) => window.parent.postMessage({ type: "emulator:loading", loading: !!isLoading }, "*"),
  };

  // Navigation out of the app: like App Bridge, window.open(url, "_top") (and a link with
  // target="_top") takes the admin's own window there, e.g. to the theme editor.
  const nativeOpen = window.open.bind(window);
  window.open = (url, target, features) => {
    if (framed && (target === "_top" || target === "_parent")) {
      window.parent.postMessage({ type: "emulator:open", url: String(new URL(String(url), location.href)) }, "*");
      return null;
    }
    return nativeOpen(url, target, features);
  };
  document.addEventListener(
    "click",
    (event) => {
      const a = event.target instanceof window.Element ? event.target.closest("a[target='_top'], a[target='_parent']") : null;
      if (!a || !framed || event.defaultPrevented) return;
      event.preventDefault();
      window.open(a.href, "_top");
    },
    true,
  );

  // The admin's address bar follows the app's own navigations, so a reload stays on the page.
  const postLocation = () =>
    window.parent.postMessage({ type: "emulator:location", path: location.pathname + location.search }, "*");
  for (const method of ["pushState", "replaceState"]) {
    const original = window.history[method].bind(window.history);
    window.history[method] = (...args) => {
      original(...args);
      postLocation();
    };
  }
  addEventListener("popstate", postLocation);

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
        // React may add the links after the element is connected: post them whenever they change.
        const post = () =>
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
          );
        queueMicrotask(post);
        this.observer = new window.MutationObserver(post);
        this.observer.observe(this, { subtree: true, childList: true, characterData: true });
      }
      disconnectedCallback() {
        if (this.observer) this.observer.disconnect();
      }
    },
  );
})();
