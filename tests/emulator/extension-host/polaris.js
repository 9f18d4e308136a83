/* global Event */
// Stand-ins for the Polaris web components the extensions use (Shopify renders the real ones in its
// own UI from the extension's remote DOM; offline they do not exist). Each draws what the shopper
// would see closely enough to read and click: headings from `heading`, buttons that are buttons
// (disabled and loading honoured), progress bars, copy to clipboard through `commandFor`.
const css = (text) => Object.assign(document.createElement("style"), { textContent: text });

class Base extends HTMLElement {
  static observedAttributes = [];
  connectedCallback() {
    this.draw?.();
  }
  attributeChangedCallback() {
    this.draw?.();
  }
}

// Preact sets a property when the element has one, else an attribute: these take both.
function reflect(cls, names) {
  for (const name of names) {
    Object.defineProperty(cls.prototype, name, {
      get() {
        return this.getAttribute(name);
      },
      set(value) {
        if (value === false || value === null || value === undefined) this.removeAttribute(name);
        else this.setAttribute(name, value === true ? "" : String(value));
      },
    });
  }
  cls.observedAttributes = names;
}

class SButton extends Base {
  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.append(
      css(`button{font:inherit;font-weight:600;padding:9px 14px;border-radius:8px;border:1px solid #1f2937;cursor:pointer;min-height:40px;min-width:40px}
        button[data-variant=primary]{background:#1f2937;color:#fff}
        button[data-variant=secondary],button:not([data-variant]){background:#fff;color:#1f2937}
        button:disabled{opacity:.55;cursor:not-allowed}
        button:focus-visible{outline:3px solid #2563eb;outline-offset:2px}`),
    );
    this.button = document.createElement("button");
    this.button.append(document.createElement("slot"));
    root.append(this.button);
    this.addEventListener(
      "click",
      (event) => {
        if (this.hasAttribute("disabled") || this.hasAttribute("loading")) return event.stopImmediatePropagation();
        const target = this.getAttribute("commandFor") ?? this.getAttribute("commandfor");
        if (target) document.getElementById(target)?.copy?.();
      },
      { capture: true },
    );
  }
  draw() {
    this.button.disabled = this.hasAttribute("disabled") || this.hasAttribute("loading");
    this.button.dataset.variant = this.getAttribute("variant") ?? "secondary";
    const label = this.getAttribute("accessibilityLabel");
    if (label) this.button.setAttribute("aria-label", label);
    this.button.setAttribute("aria-busy", String(this.hasAttribute("loading")));
  }
}
reflect(SButton, ["variant", "disabled", "loading", "accessibilityLabel", "commandFor"]);

class Headed extends Base {
  draw() {
    const heading = this.getAttribute("heading");
    let h = this.querySelector(":scope > [data-heading]");
    if (!heading) return h?.remove();
    if (!h) {
      h = document.createElement(this.localName === "s-page" ? "h1" : "h2");
      h.dataset.heading = "";
      this.prepend(h);
    }
    h.textContent = heading;
  }
}
class SSection extends Headed {}
class SPage extends Headed {}
class SBanner extends Headed {
  draw() {
    super.draw();
    this.setAttribute("role", this.getAttribute("tone") === "critical" ? "alert" : "status");
  }
}
for (const cls of [SSection, SPage, SBanner]) reflect(cls, ["heading", "tone"]);

class SProgress extends Base {
  draw() {
    this.setAttribute("role", "progressbar");
    const max = Number(this.getAttribute("max") ?? 1);
    const value = Number(this.getAttribute("value") ?? 0);
    this.setAttribute("aria-valuemin", "0");
    this.setAttribute("aria-valuemax", String(max));
    this.setAttribute("aria-valuenow", String(value));
    const label = this.getAttribute("accessibilityLabel");
    if (label) this.setAttribute("aria-label", label);
    this.style.setProperty("--done", `${Math.max(0, Math.min(100, (value / max) * 100))}%`);
  }
}
reflect(SProgress, ["value", "max", "accessibilityLabel"]);

class SClipboardItem extends Base {
  copy() {
    const text = this.getAttribute("text") ?? "";
    (window.__copied ??= []).push(text);
    navigator.clipboard?.writeText(text).catch(() => {});
    this.dispatchEvent(new Event("copy"));
  }
}
reflect(SClipboardItem, ["text"]);

class SLink extends Base {
  constructor() {
    super();
    // Shopify resolves extension: and shopify: links; the host page says where they lead here.
    this.addEventListener("click", () => window.__navigate?.(this.getAttribute("href") ?? ""));
  }
  draw() {
    this.setAttribute("role", "link");
    this.tabIndex = 0;
  }
}
reflect(SLink, ["href"]);
class SGrid extends Base {
  draw() {
    const columns = this.getAttribute("gridTemplateColumns");
    if (columns) this.style.gridTemplateColumns = columns;
  }
}
reflect(SGrid, ["gridTemplateColumns", "gap"]);
class SStack extends Base {}
reflect(SStack, ["direction", "gap", "alignItems", "justifyContent", "padding"]);
class SText extends Base {}
reflect(SText, ["type", "color", "tone"]);

customElements.define("s-button", SButton);
customElements.define("s-section", SSection);
customElements.define("s-page", SPage);
customElements.define("s-banner", SBanner);
customElements.define("s-progress", SProgress);
customElements.define("s-clipboard-item", SClipboardItem);
customElements.define("s-link", SLink);
customElements.define("s-grid", SGrid);
customElements.define("s-stack", SStack);
customElements.define("s-text", SText);
