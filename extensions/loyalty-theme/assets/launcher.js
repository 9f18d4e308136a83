/* Loyalty Club storefront script: the launcher (app embed) and the account block draw the same
   view with the same code. Plain JS, no dependencies; loaded with `defer` and started when the
   browser is idle after load, so it never competes with the page. Texts come from the theme's
   locale files (generated from the app's one catalogue, ADR 0014) through the config island;
   history lines are chosen by the entry's type and params as the app's storefront-format does;
   numbers and dates use the shopper's locale (its digits); names from the merchant sit in <bdi>. */
(function () {
  "use strict";
  if (window.__loyaltyClub) return;
  var islands = document.querySelectorAll("script[data-loyalty-config]");
  if (!islands.length) return;
  window.__loyaltyClub = true;
  var cfg = JSON.parse(islands[0].textContent);
  for (var n = 0; n < islands.length; n++) {
    var c = JSON.parse(islands[n].textContent);
    if (c.launcher) cfg = c;
  }
  var T = cfg.text;
  var locale = cfg.locale || undefined;
  var fmt = new Intl.NumberFormat(locale);
  var dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
  var state = { me: null, open: false, busy: false, note: null, confirm: null, more: [], cursor: null };
  var button, panel, panelBody, live, lastFocus;
  var views = []; // the bodies the view is drawn into: the launcher panel's and each account block's

  function num(v) {
    return fmt.format(v);
  }
  function money(decimal) {
    var v = Number(decimal);
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency: state.me.currency,
      minimumFractionDigits: v % 1 ? undefined : 0,
      maximumFractionDigits: v % 1 ? undefined : 0,
    }).format(v);
  }
  function day(value) {
    return dates.format(new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? value + "T12:00:00" : value));
  }
  // A text with its {placeholders} filled: numbers in the locale's digits, names isolated in <bdi>.
  function tx(text, vars) {
    var out = document.createDocumentFragment();
    String(text)
      .split(/\{(\w+)\}/)
      .forEach(function (part, i) {
        if (i % 2 === 0) return part && out.appendChild(document.createTextNode(part));
        var v = vars && vars[part];
        if (v == null) return;
        if (typeof v === "number") out.appendChild(document.createTextNode(num(v)));
        else if (v.nodeType) out.appendChild(v);
        else out.appendChild(h("bdi", {}, String(v)));
      });
    return out;
  }
  function ts(text, vars) {
    return tx(text, vars).textContent;
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
  function list(items) {
    return h.apply(null, ["ul", { class: "lc-list" }].concat(items));
  }
  function api(path, body) {
    var url = cfg.proxy + path + (path.indexOf("?") < 0 ? "?" : "&") + "locale=" + encodeURIComponent(cfg.locale || "");
    return fetch(url, {
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
  function copyButton(text, onCopy) {
    var btn = h(
      "button",
      {
        type: "button",
        class: "lc-link",
        onclick: function () {
          if (onCopy) onCopy();
          var done = function () {
            btn.textContent = T.copied;
            say(T.copied);
          };
          if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, done);
          else done();
        },
      },
      T.copy,
    );
    return btn;
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
      state.more = [];
      state.cursor = state.me && state.me.historyNextCursor;
      // Before launch (or outside a pilot) the club is not offered at all.
      if (state.me && state.me.club === "closed" && button) button.closest(".lc-root").hidden = true;
      fillBalances();
      render();
    });
  }
  function fillBalances() {
    var els = document.querySelectorAll("[data-loyalty-balance]");
    for (var i = 0; i < els.length; i++) els[i].textContent = state.me && state.me.points ? num(state.me.points.available) : "–";
  }
  function join() {
    var birthday = document.querySelector(".lc-birthday");
    var value = birthday && birthday.value ? birthday.value.slice(5) : undefined;
    state.busy = true;
    render();
    api("/join", value ? { birthday: value } : {}).then(function (r) {
      state.busy = false;
      if (r.ok) state.me = r.data;
      else state.note = T.error;
      state.cursor = state.me && state.me.historyNextCursor;
      render();
      fillBalances();
    });
  }
  // A reward whose code needs a minimum subtotal: when the cart is below it, ask first.
  function redeem(reward, confirmed) {
    if (!confirmed && reward.minimumSubtotalMinor) {
      return fetch("/cart.js", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.json();
        })
        .then(
          function (cart) {
            var subtotal = cart.items_subtotal_price;
            if (cart.currency === state.me.currency && typeof subtotal === "number" && subtotal < reward.minimumSubtotalMinor) {
              state.confirm = { reward: reward, subtotal: subtotal };
              render();
              var yes = document.querySelector(".lc-confirm .lc-button");
              if (yes) yes.focus();
            } else redeem(reward, true);
          },
          function () {
            redeem(reward, true);
          },
        );
    }
    state.busy = true;
    state.note = null;
    state.confirm = null;
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
  function moreHistory() {
    state.busy = true;
    render();
    api("/history?cursor=" + encodeURIComponent(state.cursor)).then(function (r) {
      state.busy = false;
      if (r.ok) {
        state.more = state.more.concat(r.data.history);
        state.cursor = r.data.nextCursor;
      } else state.note = T.error;
      render();
    });
  }

  function section(title, content) {
    return h("section", { class: "lc-section", "aria-label": title }, h("h3", { class: "lc-h" }, title), content);
  }
  function earnText(w) {
    var amount = w.spend ? money(w.spend) : w.per;
    var one = w.points === 1 && new Intl.PluralRules(locale).select(1) === "one";
    return ts(one ? T.earn_order_one : T.earn_order, { points: w.points, amount: amount });
  }
  function terms(r) {
    var out = [];
    if (r.minimumSubtotal) out.push(ts(T.min_subtotal, { amount: money(r.minimumSubtotal) }));
    if (r.maximum) out.push(ts(T.cap, { amount: money(r.maximum) }));
    return out.length ? h("span", { class: "lc-terms" }, out.join(" · ")) : null;
  }
  function historyLine(e) {
    var p = e.params || {};
    var text = (p.cause && T["h_" + e.type + "_" + p.cause]) || T["h_" + e.type];
    return text ? tx(text, p) : document.createTextNode(e.description || "");
  }

  function noteView() {
    var note = state.note;
    if (!note) return null;
    if (typeof note === "string") return h("p", { class: "lc-note", role: "alert" }, note);
    return h(
      "div",
      { class: "lc-note lc-ok", role: "status" },
      h("p", {}, tx(T.applied, { code: note.code }), note.product ? " " + T.applied_product : null),
      h("code", { class: "lc-code", dir: "ltr" }, note.code),
      " ",
      copyButton(note.code),
    );
  }
  function balanceView(me) {
    var out = [
      h(
        "div",
        { class: "lc-balance" },
        h("strong", { class: "lc-points" }, num(me.points.available)),
        " ",
        T.points,
        me.points.pending ? h("span", { class: "lc-muted" }, " · " + num(me.points.pending) + " " + T.pending) : null,
      ),
    ];
    if (me.expiring && me.expiring.points > 0)
      out.push(h("p", { class: "lc-expiring" }, ts(T.expiring, { points: me.expiring.points, date: day(me.expiring.on) })));
    if (me.tier || me.nextTier) {
      var bonus = me.tier && me.tier.earnMultiplierPct > 100;
      var tierBox = h(
        "div",
        { class: "lc-tier" },
        me.tier ? h("p", {}, T.tier + ": ", h("strong", {}, h("bdi", {}, me.tier.name))) : null,
        bonus ? h("p", {}, tx(T.tier_bonus, { multiplier: me.tier.earnMultiplierPct / 100 })) : null,
        me.tier ? perks(me.tier) : null,
      );
      if (me.nextTier) {
        // In the program's measure (points or amount spent): threshold − what is left to go.
        var nt = me.nextTier,
          left = nt.spendToGo ? nt.spendToGoMinor : nt.pointsToGo,
          goal = nt.threshold || left,
          done = Math.max(0, goal - left);
        tierBox.appendChild(
          h(
            "p",
            { class: "lc-muted" },
            nt.spendToGo
              ? tx(T.spend_to_next_tier, { amount: nt.spendToGo, tier: nt.name })
              : tx(T.to_next_tier, { points: nt.pointsToGo, tier: nt.name }),
          ),
        );
        tierBox.appendChild(h("progress", { max: goal, value: done, "aria-label": me.nextTier.name }));
        tierBox.appendChild(perks(me.nextTier, true) || document.createTextNode(""));
      }
      out.push(tierBox);
    }
    return out;
  }
  // What a tier gives (the merchant's words, in the shopper's language when given); the next
  // tier's under its name.
  function perks(t, next) {
    if (!t.perks || !t.perks.length) return null;
    var label = ts(T.tier_perks, { tier: t.name });
    var items = t.perks.map(function (p) {
      return h("li", {}, h("bdi", {}, p));
    });
    return h(
      "div",
      { class: "lc-perks" + (next ? " lc-muted" : "") },
      next ? h("p", {}, tx(T.tier_perks, { tier: t.name })) : null,
      h.apply(null, ["ul", { "aria-label": label }].concat(items)),
    );
  }
  function joinView(me) {
    var actions = h("div", { class: "lc-join" }, h("p", {}, T.join_pitch));
    if (!me.loggedIn) actions.appendChild(h("a", { class: "lc-button", href: cfg.loginUrl }, T.login));
    else {
      if (cfg.askBirthday)
        actions.appendChild(h("label", { class: "lc-field" }, T.birthday, h("input", { class: "lc-birthday", type: "date" })));
      actions.appendChild(h("button", { type: "button", class: "lc-button", onclick: join, disabled: state.busy }, T.join));
    }
    return actions;
  }
  function rewardView(me, r) {
    var short = me.enrolled ? r.pointsCost - me.points.available : null;
    var asking = state.confirm && state.confirm.reward.id === r.id;
    var locked = r.requiredTier && (!me.enrolled || r.locked);
    var action = locked
      ? h("span", { class: "lc-locked" }, tx(T.tier_locked, { tier: r.requiredTier.name }))
      : !me.enrolled
        ? null
        : r.redeemable
          ? h(
              "button",
              {
                type: "button",
                class: "lc-button lc-small",
                disabled: state.busy || asking,
                onclick: function () {
                  redeem(r);
                },
              },
              T.redeem,
            )
          : h("span", { class: "lc-muted" }, tx(T.points_more, { points: Math.max(short, 0) }));
    return h(
      "li",
      { class: "lc-reward" },
      h(
        "div",
        { class: "lc-reward-head" },
        h(
          "span",
          {},
          h("strong", {}, h("bdi", {}, r.name)),
          h("span", { class: "lc-muted" }, " · " + num(r.pointsCost) + " " + T.points),
          r.description ? h("span", { class: "lc-terms" }, h("bdi", {}, r.description)) : null,
          terms(r),
        ),
        action,
      ),
      asking
        ? h(
            "div",
            { class: "lc-confirm", role: "alert" },
            h(
              "p",
              {},
              tx(T.below_min, { subtotal: money(state.confirm.subtotal / 10 ** digitsOf()), amount: money(r.minimumSubtotal) }),
            ),
            h(
              "button",
              {
                type: "button",
                class: "lc-button lc-small",
                onclick: function () {
                  redeem(r, true);
                },
              },
              T.redeem_anyway,
            ),
            " ",
            h(
              "button",
              {
                type: "button",
                class: "lc-link",
                onclick: function () {
                  state.confirm = null;
                  render();
                },
              },
              T.not_now,
            ),
          )
        : null,
    );
  }
  // The shop currency's minor-unit digits (cart.js gives amounts in minor units).
  function digitsOf() {
    return new Intl.NumberFormat("en", { style: "currency", currency: state.me.currency }).resolvedOptions()
      .maximumFractionDigits;
  }
  function codesView(me) {
    return list(
      me.codes.map(function (c) {
        return h(
          "li",
          { class: "lc-code-row" },
          h(
            "div",
            {},
            c.name ? h("strong", {}, h("bdi", {}, c.name)) : null,
            " ",
            h("code", { class: "lc-code", dir: "ltr" }, c.code),
            h("span", { class: "lc-terms" }, c.expiresAt ? ts(T.use_by, { date: day(c.expiresAt) }) : null),
            terms(c),
          ),
          h(
            "span",
            { class: "lc-actions" },
            copyButton(c.code),
            h(
              "button",
              {
                type: "button",
                class: "lc-link",
                onclick: function () {
                  applyCode(c.code).then(function () {
                    state.note = { code: c.code, product: c.type === "free_product" };
                    render();
                  });
                },
              },
              T.apply,
            ),
          ),
        );
      }),
    );
  }
  function referralView(me) {
    var link = me.referral.url;
    // Counted for the merchant's analytics (links shared); nothing is said if it fails.
    var shared = function () {
      api("/referral/shared", {}).catch(function () {});
    };
    var share = navigator.share
      ? h(
          "button",
          {
            type: "button",
            class: "lc-link",
            onclick: function () {
              navigator.share({ url: link }).then(shared, function () {});
            },
          },
          T.share,
        )
      : null;
    return h(
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
      copyButton(link, shared),
      share,
    );
  }
  function historyView(me) {
    var rows = (me.history || []).concat(state.more).map(function (e) {
      return h(
        "li",
        { class: "lc-row" },
        h(
          "span",
          {},
          h("span", { class: "lc-desc" }, historyLine(e)),
          h("span", { class: "lc-date" }, day(e.createdAt), e.status === "pending" ? h("span", {}, " · " + T.pending) : null),
        ),
        h("span", { class: e.points < 0 ? "lc-neg" : "lc-pos", dir: "ltr" }, (e.points > 0 ? "+" : "") + num(e.points)),
      );
    });
    if (!rows.length) return h("p", { class: "lc-muted" }, T.empty);
    var frag = document.createDocumentFragment();
    frag.appendChild(list(rows));
    if (state.cursor)
      frag.appendChild(
        h("button", { type: "button", class: "lc-link lc-more", onclick: moreHistory, disabled: state.busy }, T.more),
      );
    return frag;
  }

  function draw(body, show) {
    var me = state.me;
    body.textContent = "";
    body.removeAttribute("aria-busy");
    if (!me) return body.appendChild(h("p", { class: "lc-muted" }, T.error));
    var parts = [noteView()];
    parts = parts.concat(me.enrolled ? balanceView(me) : [joinView(me)]);
    if (show.earn && me.waysToEarn)
      parts.push(
        section(
          T.ways_to_earn,
          list(
            me.waysToEarn.map(function (w) {
              return h("li", {}, w.type === "order" ? earnText(w) : w.description);
            }),
          ),
        ),
      );
    if (me.enrolled && me.codes && me.codes.length) parts.push(section(T.my_rewards, codesView(me)));
    if (show.rewards && me.rewards)
      parts.push(
        section(
          T.rewards,
          list(
            me.rewards.map(function (r) {
              return rewardView(me, r);
            }),
          ),
        ),
      );
    if (me.enrolled) parts.push(drawsView());
    if (show.referral && me.enrolled && me.referral) parts.push(section(T.referral, referralView(me)));
    if (show.history && me.enrolled) parts.push(section(T.history, historyView(me)));
    parts.forEach(function (p) {
      if (p) body.appendChild(p);
    });
  }
  // Seasonal draws: open ones to enter (with points, or once for free), drawn ones with the result
  // and the public proof anyone can recompute. Its own state and requests; null while none is open.
  var draws = { list: null, busy: false, note: null };
  function drawsView() {
    if (draws.list === null) {
      draws.list = [];
      api("/draws").then(function (r) {
        draws.list = r.ok ? r.data.draws : [];
        if (draws.list.length) render();
      });
      return null;
    }
    if (!draws.list.length) return null;
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
      var line = h("p", { class: "lc-muted" }, tx(T.draw_entries, { n: d.myEntries, max: d.maxEntriesPerCustomer }));
      var actions;
      if (d.state === "drawn") {
        actions = h(
          "p",
          {},
          d.won ? T.draw_won + (d.prizeCode ? " " + d.prizeCode.code : "") : T.draw_lost,
          " ",
          h("a", { href: cfg.proxy + "/draws/" + encodeURIComponent(d.id) + "/proof", target: "_blank" }, T.draw_proof),
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
            tx(T.draw_enter, { points: d.pointsPerEntry }),
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
                T.draw_free,
              ),
        );
      } else actions = h("p", { class: "lc-muted" }, T.draw_closed);
      return h(
        "li",
        {},
        h("strong", {}, h("bdi", {}, d.name), d.prize ? " · " : "", d.prize ? h("bdi", {}, d.prize) : ""),
        line,
        actions,
      );
    });
    if (draws.note) items.unshift(h("li", { class: "lc-note", role: "alert" }, draws.note));
    return section(T.draws_title, h.apply(null, ["ul", { class: "lc-list" }].concat(items)));
  }
  function render() {
    views.forEach(function (v) {
      if (v.body !== panelBody || state.open) draw(v.body, v.show);
    });
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

  function launcher() {
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
      cfg.buttonLabel || T.button,
    );
    panelBody = h("div", { class: "lc-body" });
    views.push({ body: panelBody, show: cfg.show });
    panel = h(
      "div",
      { id: "lc-panel", class: "lc-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "lc-title", hidden: true },
      h(
        "div",
        { class: "lc-head" },
        h("h2", { id: "lc-title", class: "lc-title" }, cfg.titleLabel || T.title),
        h("button", { type: "button", class: "lc-close", "aria-label": T.close, onclick: closePanel }, "×"),
      ),
      panelBody,
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
    document.body.appendChild(root);

    var ref = new URLSearchParams(location.search).get("ref");
    if (ref) {
      api("/referral?code=" + encodeURIComponent(ref)).then(function (r) {
        if (r.ok)
          applyCode(r.data.code).then(function (ok) {
            if (ok) say(ts(T.friend_discount, { percent: r.data.percent }));
          });
      });
    }
  }

  function init() {
    live = h("div", { class: "lc-sr", "aria-live": "polite" });
    document.body.appendChild(live);
    if (cfg.launcher) launcher();
    var accounts = document.querySelectorAll("[data-loyalty-account] .lc-body");
    var all = { earn: true, rewards: true, referral: true, history: true };
    for (var i = 0; i < accounts.length; i++) views.push({ body: accounts[i], show: all });
    if (cfg.loggedIn && (accounts.length || document.querySelector("[data-loyalty-balance]"))) load();
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
