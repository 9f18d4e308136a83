/* Loyalty Club storefront launcher. Plain JS, no dependencies; loaded with `defer` and started
   when the browser is idle after load, so it never competes with the page. Texts come from the
   theme's locale files through the config island; layout follows the page's direction (RTL). */
(function () {
  "use strict";
  var island = document.getElementById("loyalty-club-config");
  if (!island || window.__loyaltyClub) return;
  window.__loyaltyClub = true;
  var cfg = JSON.parse(island.textContent);
  var T = cfg.text;
  var fmt = new Intl.NumberFormat(cfg.locale || undefined);
  var state = { me: null, open: false, busy: false, note: null };
  var button, panel, body, live, lastFocus;

  // "Earn 1 point for every $1 spent": the shop's currency and the shopper's plural rules.
  function earnText(w) {
    var whole = Number(w.spend) % 1 === 0;
    var amount = w.spend
      ? new Intl.NumberFormat(
          cfg.locale || undefined,
          whole
            ? { style: "currency", currency: state.me.currency, minimumFractionDigits: 0, maximumFractionDigits: 0 }
            : { style: "currency", currency: state.me.currency },
        ).format(Number(w.spend))
      : w.per;
    var one = w.points === 1 && new Intl.PluralRules(cfg.locale || undefined).select(1) === "one";
    return t(one ? T.earnOrderOne : T.earnOrder, { points: fmt.format(w.points), amount: amount });
  }
  // Placeholders in the launcher's strings are {name}: Liquid's t filter leaves them for us.
  function t(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, function (_, k) {
      return vars && k in vars ? vars[k] : "";
    });
  }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null || c === false) continue;
      el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return el;
  }
  function api(path, body) {
    return fetch(cfg.proxy + path, {
      method: body ? "POST" : "GET",
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { ok: res.ok, status: res.status, data: data };
        });
    });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function applyCode(code) {
    // Shopify's /discount/<code> puts the code on the shopper's cart session.
    return fetch("/discount/" + encodeURIComponent(code) + "?redirect=%2Fcart", { credentials: "same-origin" }).then(
      function (r) {
        return r.ok;
      },
      function () {
        return false;
      },
    );
  }
  function copy(text, btn) {
    var done = function () {
      btn.textContent = T.copied;
      say(T.copied);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, done);
    else done();
  }
  function say(message) {
    live.textContent = "";
    setTimeout(function () {
      live.textContent = message;
    }, 30);
  }

  function load() {
    return api("/me").then(function (r) {
      state.me = r.ok ? r.data : null;
      // Before launch (or outside a pilot) the club is not offered at all.
      if (state.me && state.me.club === "closed" && button) button.closest(".lc-root").hidden = true;
      fillBalances();
      if (state.open) render();
    });
  }
  function fillBalances() {
    var els = document.querySelectorAll("[data-loyalty-balance]");
    for (var i = 0; i < els.length; i++)
      els[i].textContent = state.me && state.me.points ? fmt.format(state.me.points.available) : "–";
  }

  function section(title, content) {
    return h("section", { class: "lc-section", "aria-label": title }, h("h3", { class: "lc-h" }, title), content);
  }
  function join() {
    var birthday = body.querySelector("#lc-birthday");
    var value = birthday && birthday.value ? birthday.value.slice(5) : undefined;
    state.busy = true;
    render();
    api("/join", value ? { birthday: value } : {}).then(function (r) {
      state.busy = false;
      if (r.ok) state.me = r.data;
      else state.note = T.error;
      render();
      fillBalances();
    });
  }
  function redeem(reward) {
    state.busy = true;
    state.note = null;
    render();
    api("/redeem", { rewardId: reward.id, idempotencyKey: uuid() }).then(function (r) {
      if (!r.ok) {
        state.busy = false;
        state.note = r.data && r.data.error === "insufficient_points" ? T.insufficient : T.error;
        return render();
      }
      var code = r.data.redemption.code;
      return applyCode(code).then(function () {
        state.busy = false;
        state.note = { code: code, product: reward.type === "free_product" };
        return load();
      });
    });
  }

  function render() {
    var me = state.me;
    body.textContent = "";
    if (!me) {
      body.appendChild(h("p", { class: "lc-muted" }, T.error));
      return;
    }
    if (state.note) {
      var note = state.note;
      if (typeof note === "string") body.appendChild(h("p", { class: "lc-note", role: "alert" }, note));
      else {
        var copyBtn = h(
          "button",
          {
            type: "button",
            class: "lc-link",
            onclick: function () {
              copy(note.code, copyBtn);
            },
          },
          T.copy,
        );
        body.appendChild(
          h(
            "div",
            { class: "lc-note lc-ok", role: "status" },
            h("p", {}, t(T.applied, { code: note.code }) + (note.product ? " " + T.appliedProduct : "")),
            h("code", { class: "lc-code" }, note.code),
            " ",
            copyBtn,
          ),
        );
      }
    }
    if (me.enrolled) {
      body.appendChild(
        h(
          "div",
          { class: "lc-balance" },
          h("strong", { class: "lc-points" }, fmt.format(me.points.available)),
          " ",
          T.points,
          me.points.pending ? h("span", { class: "lc-muted" }, " · " + fmt.format(me.points.pending) + " " + T.pending) : null,
        ),
      );
      if (me.tier || me.nextTier) {
        var bonus = me.tier && me.tier.earnMultiplierPct > 100;
        var tierBox = h(
          "div",
          { class: "lc-tier" },
          me.tier ? h("p", {}, T.tier + ": ", h("strong", {}, me.tier.name)) : null,
          bonus ? h("p", {}, t(T.tierBonus, { multiplier: fmt.format(me.tier.earnMultiplierPct / 100) })) : null,
        );
        if (me.nextTier) {
          var done = me.points.lifetime,
            goal = done + me.nextTier.pointsToGo;
          tierBox.appendChild(
            h(
              "p",
              { class: "lc-muted" },
              t(T.toNextTier, { points: fmt.format(me.nextTier.pointsToGo), tier: me.nextTier.name }),
            ),
          );
          tierBox.appendChild(h("progress", { max: goal, value: done, "aria-label": me.nextTier.name }));
        }
        body.appendChild(tierBox);
      }
    } else {
      var actions = h("div", { class: "lc-join" }, h("p", {}, T.joinPitch));
      if (!me.loggedIn) actions.appendChild(h("a", { class: "lc-button", href: cfg.loginUrl }, T.login));
      else {
        if (cfg.askBirthday)
          actions.appendChild(h("label", { class: "lc-field" }, T.birthday, h("input", { id: "lc-birthday", type: "date" })));
        actions.appendChild(h("button", { type: "button", class: "lc-button", onclick: join, disabled: state.busy }, T.join));
      }
      body.appendChild(actions);
    }
    if (cfg.show.earn && me.waysToEarn) {
      body.appendChild(
        section(
          T.waysToEarn,
          h.apply(
            null,
            ["ul", { class: "lc-list" }].concat(
              me.waysToEarn.map(function (w) {
                return h("li", {}, w.type === "order" ? earnText(w) : w.description);
              }),
            ),
          ),
        ),
      );
    }
    if (cfg.show.rewards && me.rewards) {
      var items = me.rewards.map(function (r) {
        var short = me.enrolled ? r.pointsCost - me.points.available : null;
        return h(
          "li",
          { class: "lc-reward" },
          h(
            "span",
            {},
            h("strong", {}, r.name),
            h("span", { class: "lc-muted" }, " · " + fmt.format(r.pointsCost) + " " + T.points),
          ),
          me.enrolled
            ? r.redeemable
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "lc-button lc-small",
                    disabled: state.busy,
                    onclick: function () {
                      redeem(r);
                    },
                  },
                  T.redeem,
                )
              : h("span", { class: "lc-muted" }, t(T.pointsMore, { points: fmt.format(Math.max(short, 0)) }))
            : null,
        );
      });
      body.appendChild(section(T.rewards, h.apply(null, ["ul", { class: "lc-list" }].concat(items))));
    }
    if (cfg.show.referral && me.enrolled && me.referral) {
      var link = me.referral.url;
      var copyLink = h(
        "button",
        {
          type: "button",
          class: "lc-link",
          onclick: function () {
            copy(link, copyLink);
          },
        },
        T.copy,
      );
      var share = navigator.share
        ? h(
            "button",
            {
              type: "button",
              class: "lc-link",
              onclick: function () {
                navigator.share({ url: link }).catch(function () {});
              },
            },
            T.share,
          )
        : null;
      body.appendChild(
        section(
          T.referral,
          h(
            "div",
            { class: "lc-ref" },
            h("input", {
              class: "lc-input",
              readonly: true,
              value: link,
              "aria-label": T.referral,
              onfocus: function (e) {
                e.target.select();
              },
            }),
            copyLink,
            share,
          ),
        ),
      );
    }
    if (cfg.show.history && me.enrolled) {
      var rows = (me.history || []).map(function (e) {
        return h(
          "li",
          { class: "lc-row" },
          h("span", {}, e.description),
          h("span", { class: e.points < 0 ? "lc-neg" : "lc-pos", dir: "ltr" }, (e.points > 0 ? "+" : "") + fmt.format(e.points)),
        );
      });
      body.appendChild(
        section(
          T.history,
          rows.length ? h.apply(null, ["ul", { class: "lc-list" }].concat(rows)) : h("p", { class: "lc-muted" }, T.empty),
        ),
      );
    }
    if (me.enrolled) drawsPanel(body);
  }

  // Seasonal draws: open ones to enter (with points, or once for free), drawn ones with the result
  // and the public proof anyone can recompute. Self-contained: its own state, its own requests.
  var draws = { list: null, busy: false, note: null };
  function drawsPanel(target) {
    if (draws.list === null) {
      draws.list = [];
      api("/draws").then(function (r) {
        draws.list = r.ok ? r.data.draws : [];
        if (state.open) render();
      });
      return;
    }
    if (!draws.list.length) return;
    var L = function (key, fallback, vars) {
      return t(T[key] || fallback, vars);
    };
    var enter = function (d, free) {
      draws.busy = true;
      draws.note = null;
      render();
      api(
        "/draws/" + encodeURIComponent(d.id) + "/enter",
        free ? { free: true, idempotencyKey: uuid() } : { entries: 1, idempotencyKey: uuid() },
      ).then(function (r) {
        draws.busy = false;
        if (!r.ok) draws.note = (r.data && r.data.message) || T.error;
        draws.list = null;
        load();
      });
    };
    var items = draws.list.map(function (d) {
      var full = d.myEntries >= d.maxEntriesPerCustomer;
      var line = h(
        "p",
        { class: "lc-muted" },
        L("drawEntries", "Your entries: {n} of {max}", { n: d.myEntries, max: d.maxEntriesPerCustomer }),
      );
      var actions;
      if (d.state === "drawn") {
        actions = h(
          "p",
          {},
          d.won
            ? L("drawWon", "You won!") + (d.prizeCode ? " " + d.prizeCode.code : "")
            : L("drawLost", "The winners are drawn."),
          " ",
          h(
            "a",
            { href: cfg.proxy + "/draws/" + encodeURIComponent(d.id) + "/proof", target: "_blank" },
            L("drawProof", "Check the draw"),
          ),
        );
      } else if (d.acceptingEntries) {
        actions = h(
          "p",
          {},
          h(
            "button",
            {
              type: "button",
              class: "lc-button lc-small",
              disabled: draws.busy || full,
              onclick: function () {
                enter(d, false);
              },
            },
            L("drawEnter", "Enter for {points} points", { points: fmt.format(d.pointsPerEntry) }),
          ),
          " ",
          d.freeEntryUsed
            ? ""
            : h(
                "button",
                {
                  type: "button",
                  class: "lc-link",
                  disabled: draws.busy || full,
                  onclick: function () {
                    enter(d, true);
                  },
                },
                L("drawFree", "Free entry"),
              ),
        );
      } else actions = h("p", { class: "lc-muted" }, L("drawClosed", "Entries are closed."));
      return h("li", {}, h("strong", {}, d.name + (d.prize ? " · " + d.prize : "")), line, actions);
    });
    if (draws.note) items.unshift(h("li", { class: "lc-note", role: "alert" }, draws.note));
    target.appendChild(section(L("drawsTitle", "Draws"), h.apply(null, ["ul", { class: "lc-list" }].concat(items))));
  }

  function focusables() {
    return panel.querySelectorAll("button:not([disabled]), a[href], input, [tabindex]:not([tabindex='-1'])");
  }
  function openPanel() {
    lastFocus = document.activeElement;
    state.open = true;
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    render();
    panel.querySelector(".lc-close").focus();
    if (!state.me) load();
  }
  function closePanel() {
    state.open = false;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    (lastFocus || button).focus();
  }

  function init() {
    var root = h("div", { class: "lc-root lc-" + (cfg.position === "start" ? "start" : "end") });
    root.style.setProperty("--lc-accent", cfg.accent || "#1f5135");
    root.style.setProperty("--lc-on-accent", cfg.accentText || "#fff");
    button = h(
      "button",
      {
        type: "button",
        class: "lc-launcher",
        "aria-haspopup": "dialog",
        "aria-expanded": "false",
        "aria-controls": "lc-panel",
        onclick: function () {
          if (state.open) closePanel();
          else openPanel();
        },
      },
      h("span", { "aria-hidden": "true" }, "★ "),
      T.button,
    );
    body = h("div", { class: "lc-body" });
    live = h("div", { class: "lc-sr", "aria-live": "polite" });
    panel = h(
      "div",
      { id: "lc-panel", class: "lc-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "lc-title", hidden: true },
      h(
        "div",
        { class: "lc-head" },
        h("h2", { id: "lc-title", class: "lc-title" }, T.title),
        h("button", { type: "button", class: "lc-close", "aria-label": T.close, onclick: closePanel }, "×"),
      ),
      body,
    );
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") return closePanel();
      if (e.key !== "Tab") return;
      var f = focusables(),
        first = f[0],
        last = f[f.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    });
    root.appendChild(panel);
    root.appendChild(button);
    root.appendChild(live);
    document.body.appendChild(root);

    var ref = new URLSearchParams(location.search).get("ref");
    if (ref) {
      api("/referral?code=" + encodeURIComponent(ref)).then(function (r) {
        if (r.ok)
          applyCode(r.data.code).then(function (ok) {
            if (ok) say(t(T.friendDiscount, { percent: r.data.percent }));
          });
      });
    }
    if (cfg.loggedIn && document.querySelector("[data-loyalty-balance]")) load();
  }

  function whenIdle() {
    (
      window.requestIdleCallback ||
      function (fn) {
        setTimeout(fn, 1);
      }
    )(init);
  }
  if (document.readyState === "complete") whenIdle();
  else window.addEventListener("load", whenIdle);
})();
