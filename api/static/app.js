// The support-desk panel: plain JS, no framework, no CDN. Talks to the API with the session
// cookie set at sign-in; every text from the server is inserted as text, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const I18N = window.KIZUNA_I18N;
  const state = {
    lang: localStorage.getItem("kizuna.lang") || (navigator.language.startsWith("ja") ? "ja" : "en"),
    me: null, customer: null, profile: null, conversationId: null, streamAbort: null,
    brief: null, draft: null, searchSeq: 0,
  };
  // Other views (campaigns.js) follow sign-in and the language through these.
  const hooks = { signedIn: [], signedOut: [], language: [] };
  // Each tab and the action (GET /vocabulary's `actions`) a role needs to see it.
  const TAB_ACTION = { chat: "chat", brief: "brief", email: "draft" };

  const t = (key) => (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
    $("lang-toggle").textContent = state.lang === "ja" ? "English" : "日本語";
    status("");
    showWho();
    if (state.profile) renderCard(state.profile);
    if (state.brief) renderBrief(state.brief);
    for (const hook of hooks.language) hook();
  }

  function status(text, isError) {
    const node = $("assist-status");
    node.textContent = text || "";
    node.classList.toggle("error", Boolean(isError));
  }

  async function api(method, path, body) {
    const opts = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    if (res.status === 401 && path !== "/session") { signedOut(); throw new Error(t("signInTitle")); }
    if (!res.ok) {
      let message = `${res.status}`;
      try { message = (await res.json()).error.message; } catch (_) { /* not JSON */ }
      throw new Error(res.status === 403 ? t("forbidden") : message);
    }
    const type = res.headers.get("content-type") || "";
    return type.includes("json") ? res.json() : res.text();
  }

  // ---- sign in / out ------------------------------------------------------------------
  function showWho() {
    const me = state.me;
    const role = me ? t("role" + me.role[0].toUpperCase() + me.role.slice(1)) : "";
    $("whoami").textContent = me ? `${t("signedInAs")} ${me.name} (${role})` : "";
  }

  // The value lists and the caller's actions come from the API, defined once there.
  async function signedIn(me) {
    let vocabulary;
    try {
      vocabulary = await api("GET", "/vocabulary");
    } catch (e) {
      $("signin-error").textContent = e.message;
      return;
    }
    state.me = me;
    fillChoices(vocabulary);
    $("signin").hidden = true;
    $("desk").hidden = false;
    $("sign-out").hidden = false;
    const can = (tab) => vocabulary.actions.includes(TAB_ACTION[tab]);
    for (const x of TABS) $(`tab-${x}`).hidden = !can(x);
    const first = TABS.find(can);
    if (first) selectTab(first, false);
    showWho();
    $("customer-q").focus();
    for (const hook of hooks.signedIn) hook(vocabulary);
  }

  function fillChoices(v) {
    const options = (values, prefix, chosen) => values.map((x) =>
      el("option", { value: x, "data-i18n": prefix + x, selected: x === chosen }, t(prefix + x)));
    $("purpose").replaceChildren(...options(v.purposes, "p_"));
    $("tone").replaceChildren(...options(v.tones, "t_", v.draft_defaults.tone));
    $("length").replaceChildren(...options(v.lengths, "l_", v.draft_defaults.length));
    $("email-lang").replaceChildren(el("option", { value: "", "data-i18n": "l_auto" }, t("l_auto")),
      ...options(v.languages, "lang_"));
  }

  function signedOut() {
    state.me = null;
    $("desk").hidden = true;
    $("signin").hidden = false;
    $("sign-out").hidden = true;
    showWho();
    for (const hook of hooks.signedOut) hook();
    $("api-key").focus();
  }

  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("signin-error").textContent = "";
    try {
      const me = await api("POST", "/session", { api_key: $("api-key").value.trim() });
      $("api-key").value = "";
      await signedIn(me);
    } catch (e) {
      $("signin-error").textContent = e.message;
    }
  });

  $("sign-out").addEventListener("click", async () => {
    await fetch("/session", { method: "DELETE", credentials: "same-origin" });
    signedOut();
  });

  $("lang-toggle").addEventListener("click", () => {
    state.lang = state.lang === "ja" ? "en" : "ja";
    localStorage.setItem("kizuna.lang", state.lang);
    applyLanguage();
  });

  // ---- customer search (incremental) ----------------------------------------------------
  let searchTimer = null;
  $("customer-q").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(searchCustomers, 200);
  });
  $("customer-q").addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") {
      const first = $("customer-results").querySelector("button");
      if (first) { ev.preventDefault(); first.focus(); }
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      clearTimeout(searchTimer);
      searchCustomers().then(() => {
        const only = $("customer-results").querySelectorAll("button");
        if (only.length === 1) only[0].click();
      });
    }
  });
  $("customer-results").addEventListener("keydown", (ev) => {
    const buttons = [...$("customer-results").querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" && i < buttons.length - 1) { ev.preventDefault(); buttons[i + 1].focus(); }
    if (ev.key === "ArrowUp") { ev.preventDefault(); (i > 0 ? buttons[i - 1] : $("customer-q")).focus(); }
  });

  async function searchCustomers() {
    const q = $("customer-q").value.trim();
    const list = $("customer-results");
    const seq = ++state.searchSeq;
    if (!q) { list.replaceChildren(); return; }
    try {
      const found = await api("GET", `/customers?q=${encodeURIComponent(q)}&limit=20`);
      if (seq !== state.searchSeq) return; // a newer keystroke already answered
      list.replaceChildren(...(found.length ? found.map((c) => el("li", {},
        el("button", { type: "button", class: "result", "data-customer-id": c.id, onclick: () => openCustomer(c.id) },
          el("strong", {}, c.name), " ", el("span", { class: "muted" }, c.name_kana || ""),
          el("br"), el("span", { class: "muted small" }, [c.email, c.phone].filter(Boolean).join(" · "))))) :
        [el("li", { class: "muted" }, t("noResults"))]));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  // ---- customer card ------------------------------------------------------------------
  const yen = (value, currency) => {
    const n = Number(value || 0);
    try {
      return new Intl.NumberFormat(state.lang === "ja" ? "ja-JP" : "en-US",
        { style: "currency", currency: currency || "JPY", maximumFractionDigits: 0 }).format(n);
    } catch (_) { return `${n} ${currency || ""}`; }
  };
  const day = (iso) => (iso ? String(iso).slice(0, 10) : "—");

  async function openCustomer(id) {
    $("card-empty").hidden = true;
    $("card-body").hidden = false;
    $("card-body").replaceChildren(el("p", { class: "muted" }, t("loading")));
    try {
      const profile = await api("GET", `/customers/${id}`);
      state.customer = profile.customer;
      state.profile = profile;
      state.conversationId = null;
      state.brief = null;
      $("brief").replaceChildren();
      $("copy-brief").hidden = true;
      $("email-out").hidden = true;
      $("chat-log").replaceChildren();
      renderCard(profile);
      $("card-title").focus();
    } catch (e) {
      $("card-body").replaceChildren(el("p", { class: "error" }, e.message));
    }
  }

  function sentimentBadge(s) {
    const key = s === "positive" || s === "neutral" || s === "negative" ? s : "unknown";
    const icon = { positive: "☺", neutral: "–", negative: "☹", unknown: "·" }[key];
    return el("span", { class: `badge s-${key}`, title: `${t("sentiment")}: ${t("s_" + key)}` },
      `${icon} ${t("s_" + key)}`);
  }

  function flaggedBadge(reasons) {
    return el("span", { class: "badge bad flagged", title: reasons ? `${t("flaggedTitle")} (${reasons})` : t("flaggedTitle") },
      `⚠ ${t("flagged")}`);
  }

  // The card's facts (also what a profile:ID citation opens).
  function profileFacts(p) {
    const c = p.customer, f = p.facts || {};
    const rfm = f.rfm, ltv = f.ltv, ctb = f.ctb || {}, f2 = f.f2 || {};
    const dl = (pairs) => el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => [el("dt", {}, t(k)), el("dd", {}, v)]));
    const consent = c.email_opt_out
      ? el("span", { class: "badge bad" }, t("optOut")) : el("span", { class: "badge good" }, t("optIn"));
    const segment = rfm ? el("span", { class: `badge seg-${rfm.segment}` }, rfm.segment) : t("none");
    const people = (p.contacts || []).map((x) => x.name + (x.is_decision_maker ? ` (${t("decisionMaker")})` : "")).join(", ");
    return dl([
      ["segment", segment], ["ltv", ltv ? yen(ltv.value, f.currency) : t("none")],
      ["consent", consent], ["lifecycle", c.lifecycle_stage], ["orders", String(f.order_count ?? 0)],
      ["totalSpent", yen(f.total_spent, f.currency)], ["lastOrder", day(f.last_order_at)],
      ["openTickets", String(f.open_tickets ?? 0)],
      ["ctb", [ctb.category, ctb.taste, ctb.brand].map((x) => x || "—").join(" / ")],
      ["f2", f2.converted ? t("f2yes") : t("f2no")],
      ["email", c.email], ["phone", c.phone], ["region", c.region], ["owner", c.owner],
      ["contacts", people],
    ]);
  }

  function renderCard(p) {
    const c = p.customer;
    const orders = (p.recent_orders || []).slice(0, 5).map((o) => el("tr", {},
      el("td", {}, day(o.ordered_at)), el("td", {}, o.order_number || `#${o.id}`),
      el("td", {}, (o.lines || []).map((l) => l.product_name).join(", ")),
      el("td", { class: "num" }, yen(o.total_amount, o.currency))));
    const interactions = (p.latest_interactions || []).slice(0, 6).map((i) => el("li", {},
      el("button", { type: "button", class: "linklike", onclick: () => openRecord(`interaction:${i.id}`) },
        `${day(i.occurred_at)} · ${i.kind} · ${i.subject || i.body.slice(0, 40)}`),
      " ", sentimentBadge(i.sentiment), i.status ? el("span", { class: "badge" }, i.status) : null,
      i.injection_flags ? flaggedBadge(i.injection_flags) : null));
    $("card-body").replaceChildren(
      el("h3", { class: "name" }, c.name, " ", el("span", { class: "muted" }, c.name_kana || "")),
      el("p", { class: "muted small" }, `customer:${c.id} · ${c.kind} · ${c.language}`),
      profileFacts(p),
      el("h4", {}, t("lastOrders")),
      orders.length ? el("table", { class: "orders" }, el("tbody", {}, orders)) : el("p", { class: "muted" }, t("none")),
      el("h4", {}, t("recentInteractions")),
      interactions.length ? el("ul", { class: "interactions" }, interactions) : el("p", { class: "muted" }, t("none")),
    );
    $("card-title").textContent = `${t("customerCard")}: ${c.name}`;
    $("card-title").setAttribute("tabindex", "-1");
  }

  // ---- records (what a citation opens) ------------------------------------------------
  async function openRecord(recordId) {
    const dialog = $("record-dialog");
    $("record-title").textContent = `${t("record")} ${recordId}`;
    $("record-body").replaceChildren(el("p", { class: "muted" }, t("loading")));
    if (!dialog.open) dialog.showModal();
    try {
      const r = await api("GET", `/records/${encodeURIComponent(recordId)}`);
      const rows = [];
      if (r.record_type === "profile") {
        rows.push(el("h3", { class: "record-text" }, r.customer.name, " ", el("span", { class: "muted" }, r.customer.name_kana || "")));
        rows.push(profileFacts(r));
      } else if (r.record_type === "order") {
        rows.push(el("p", {}, `${day(r.ordered_at)} · ${r.order_number || ""} · ${yen(r.total_amount, r.currency)}`));
        rows.push(el("ul", {}, (r.lines || []).map((l) => el("li", {}, `${l.product_name} × ${l.quantity}`))));
      } else {
        rows.push(el("p", { class: "muted" }, [day(r.occurred_at || r.updated_at), r.kind, r.phase, r.channel, r.status]
          .filter(Boolean).join(" · ")));
        if (r.subject || r.title) rows.push(el("h3", {}, r.subject || r.title));
        rows.push(el("p", { class: "record-text" }, r.body));
      }
      $("record-body").replaceChildren(...rows);
    } catch (e) {
      $("record-body").replaceChildren(el("p", { class: "error" }, e.message));
    }
  }

  function citationButtons(ids, citations) {
    return ids.map((id) => {
      const n = citations.findIndex((c) => c.record_id === id) + 1;
      return el("button", { type: "button", class: "cite", "data-record-id": id,
        title: id, "aria-label": `${t("sources")} ${n || ""}: ${id}`, onclick: () => openRecord(id) },
        `[${n || id}]`);
    });
  }

  function sourcesList(citations) {
    if (!citations || !citations.length) return null;
    return el("details", { class: "sources" }, el("summary", {}, el("span", { "data-i18n": "sources" }, t("sources")), ` (${citations.length})`),
      el("ol", {}, citations.map((c) => el("li", {},
        el("button", { type: "button", class: "linklike", "data-record-id": c.record_id, onclick: () => openRecord(c.record_id) },
          `${c.record_id} · ${c.kind} · ${day(c.date)}`),
        el("q", {}, c.quote)))));
  }

  function renderSentences(sentences, citations) {
    return sentences.map((s) => el("span", { class: s.generated ? "sent" : "sent fact" },
      s.text, " ", citationButtons(s.citations || [], citations), " "));
  }

  function thumbs(outputId, holder) {
    const send = async (rating, button) => {
      try {
        await api("POST", "/feedback", { output_id: outputId, rating });
        for (const b of holder.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
        status(t("thanks"));
      } catch (e) { status(e.message, true); }
    };
    // Text glyphs, not emoji: they render on machines without an emoji font.
    const up = el("button", { type: "button", class: "thumb", "aria-pressed": "false" }, "▲ ", el("span", { "data-i18n": "helpful" }, t("helpful")));
    const down = el("button", { type: "button", class: "thumb", "aria-pressed": "false" }, "▼ ", el("span", { "data-i18n": "notHelpful" }, t("notHelpful")));
    up.addEventListener("click", () => send(1, up));
    down.addEventListener("click", () => send(-1, down));
    holder.replaceChildren(up, down);
    return holder;
  }

  // ---- chat (streamed over SSE) ---------------------------------------------------------
  $("question").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $("chat-form").requestSubmit();
    }
  });
  $("new-chat").addEventListener("click", () => {
    state.conversationId = null;
    $("chat-log").replaceChildren();
    $("question").focus();
  });
  $("stop").addEventListener("click", () => { if (state.streamAbort) state.streamAbort.abort(); });

  $("chat-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const question = $("question").value.trim();
    if (!question || state.streamAbort) return;
    $("question").value = "";
    const log = $("chat-log");
    log.append(el("div", { class: "msg user" }, el("span", { class: "who", "data-i18n": "you" }, t("you")), el("p", {}, question)));
    const live = el("p", { class: "streaming" });
    const answer = el("div", { class: "msg bot", "aria-busy": "true" }, el("span", { class: "who", "data-i18n": "kizuna" }, t("kizuna")), live);
    log.append(answer);
    answer.scrollIntoView({ block: "end" });
    status(t("thinking"));
    const abort = new AbortController();
    state.streamAbort = abort;
    $("stop").hidden = false;
    $("ask").disabled = true;
    try {
      const res = await fetch("/chat", {
        method: "POST", credentials: "same-origin", signal: abort.signal,
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ question, customer_id: state.customer ? state.customer.id : null,
          conversation_id: state.conversationId }),
      });
      if (!res.ok) {
        let message = `${res.status}`;
        try { message = (await res.json()).error.message; } catch (_) { /* not JSON */ }
        throw new Error(res.status === 403 ? t("forbidden") : message);
      }
      await readEvents(res.body, (event, data) => {
        if (event === "start") state.conversationId = data.conversation_id;
        else if (event === "progress") showProgress(live, data.written);
        else if (event === "sentence") { showSentence(live, data); answer.scrollIntoView({ block: "end" }); }
        else if (event === "result") finishAnswer(answer, live, data);
        else if (event === "error") throw new Error(data.message);
      });
      status("");
    } catch (e) {
      status(e.name === "AbortError" ? t("stopped") : `${t("error")}: ${e.message}`, e.name !== "AbortError");
    } finally {
      answer.setAttribute("aria-busy", "false");
      state.streamAbort = null;
      $("stop").hidden = true;
      $("ask").disabled = false;
      $("question").focus();
    }
  });

  async function readEvents(body, onEvent) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).replace(/^ /, "");
        }
        if (data) onEvent(event, JSON.parse(data));
      }
    }
  }

  // Only checked sentences are shown while the answer streams; the model's raw text never is.
  // A small counter shows that the model is still writing.
  function showProgress(live, written) {
    let meter = live.querySelector(".writing");
    if (!meter) { meter = el("span", { class: "writing muted small", "aria-hidden": "true" }); live.append(meter); }
    meter.textContent = ` ${t("writing")} ${"·".repeat(1 + (written % 3))}`;
  }

  function showSentence(live, data) {
    const meter = live.querySelector(".writing");
    const [span] = renderSentences([data.sentence], data.citations || []);
    if (meter) meter.before(span); else live.append(span);
  }

  function finishAnswer(answer, live, result) {
    const body = el("p", { class: "answer" });
    if (result.sentences && result.sentences.length) body.append(...renderSentences(result.sentences, result.citations || []));
    else body.append(result.text || t("noAnswer"));
    live.replaceWith(body);
    if (!result.answered) answer.classList.add("unanswered");
    const src = sourcesList(result.citations);
    if (src) answer.append(src);
    answer.append(thumbs(result.output_id, el("div", { class: "feedback" })));
  }

  // ---- brief ----------------------------------------------------------------------------
  $("open-brief").addEventListener("click", async () => {
    if (!state.customer) { status(t("needCustomer"), true); return; }
    status(t("briefing"));
    $("open-brief").disabled = true;
    try {
      state.brief = await api("POST", `/customers/${state.customer.id}/brief`, { language: state.lang });
      renderBrief(state.brief);
      $("copy-brief").hidden = false;
      status("");
      $("brief").querySelector("h3")?.focus();
    } catch (e) { status(e.message, true); }
    finally { $("open-brief").disabled = false; }
  });

  function renderBrief(b) {
    $("brief").replaceChildren(
      // One line per sentence: profile facts and findings are lists, not run-on text.
      ...b.sections.map((s) => el("section", { class: s.warning ? "warning" : "" },
        el("h3", { tabindex: "-1" }, s.warning ? flaggedBadge("") : null, " ", s.title),
        el("ul", { class: "sentences" }, renderSentences(s.sentences, b.citations || [])
          .map((x) => el("li", {}, x))))),
      sourcesList(b.citations) || "",
      thumbs(b.output_id, el("div", { class: "feedback" })));
  }

  $("copy-brief").addEventListener("click", () => copyText(state.brief ? state.brief.markdown : ""));

  // ---- e-mail draft -------------------------------------------------------------------
  $("email-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!state.customer) { status(t("needCustomer"), true); return; }
    status(t("drafting"));
    $("draft").disabled = true;
    try {
      const d = await api("POST", "/drafts/email", {
        customer_id: state.customer.id, purpose: $("purpose").value, tone: $("tone").value,
        length: $("length").value, language: $("email-lang").value || null,
      });
      state.draft = d;
      $("email-subject").value = d.subject;
      $("email-body").value = d.body;
      $("email-cites").replaceChildren(sourcesList(d.citations) || "");
      thumbs(d.output_id, $("email-feedback"));
      $("email-out").hidden = false;
      status("");
      $("email-subject").focus();
    } catch (e) { status(e.message, true); }
    finally { $("draft").disabled = false; }
  });

  $("copy-email").addEventListener("click", async () => {
    const text = `${$("email-subject").value}\n\n${$("email-body").value}`;
    await copyText(text);
    const d = state.draft;
    if (d && (d.subject !== $("email-subject").value || d.body !== $("email-body").value)) {
      // The edited final text is feedback too: it shows what the draft should have said.
      api("POST", "/feedback", { output_id: d.output_id, edited_text: text }).catch(() => {});
    }
  });

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      const area = el("textarea", { class: "sr-only" }, text);
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    status(t("copied"));
  }

  // ---- tabs (arrow keys move between them, as a tablist should) --------------------------
  const TABS = ["chat", "brief", "email"];
  function selectTab(name, focus = true) {
    for (const x of TABS) {
      const tab = $(`tab-${x}`), panel = $(`panel-${x}`);
      const on = x === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
    }
    if (focus) $(`tab-${name}`).focus();
  }
  for (const x of TABS) {
    $(`tab-${x}`).addEventListener("click", () => selectTab(x));
    $(`tab-${x}`).addEventListener("keydown", (ev) => {
      const visible = TABS.filter((y) => !$(`tab-${y}`).hidden);
      const i = visible.indexOf(x);
      if (ev.key === "ArrowRight") selectTab(visible[(i + 1) % visible.length]);
      if (ev.key === "ArrowLeft") selectTab(visible[(i - 1 + visible.length) % visible.length]);
    });
  }

  document.addEventListener("keydown", (ev) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (ev.key === "/" && !typing && !$("desk").hidden) { ev.preventDefault(); $("customer-q").focus(); }
  });

  // What campaigns.js reuses: one set of helpers for every view.
  window.KIZUNA = { $, el, t, api, state, hooks, openRecord, profileFacts, sourcesList, yen, day };

  // ---- start: already signed in? --------------------------------------------------------
  applyLanguage();
  fetch("/session", { credentials: "same-origin" })
    .then((res) => (res.ok ? res.json() : null))
    .then((me) => (me ? signedIn(me) : signedOut()))
    .catch(() => signedOut());
})();
