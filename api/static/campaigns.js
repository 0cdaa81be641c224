// The Campaigns view: build an audience with a live count, define and run a campaign, review
// its drafts beside the customer card (keyboard: j/k, a, r, e, Ctrl+Enter), export, report.
// Reuses app.js's helpers (window.KIZUNA); the value lists come from the API, never from here.
"use strict";

(() => {
  const { $, el, t, api, hooks, openRecord, profileFacts, sourcesList, yen, day } = window.KIZUNA;
  const view = {
    vocabulary: null, fields: [], audiences: [], campaigns: [], campaign: null,
    drafts: [], current: -1, job: null, countSeq: 0, count: undefined, members: null,
  };
  const LIST_OPS = ["in", "not_in"];
  const DAY_OPS = ["within_days", "more_than_days_ago"];
  const F2_EXIT = { field: "order_count", op: "gte", value: 2 };
  const REVIEW_STATUSES = ["", "draft", "edited", "approved", "rejected", "exported", "skipped"];

  // ---- view switching (roles with the `campaigns` action) ----------------------------
  hooks.signedIn.push(async (vocabulary) => {
    view.vocabulary = vocabulary;
    const allowed = vocabulary.actions.includes("campaigns");
    $("views").hidden = !allowed;
    if (!allowed) return;
    $("rev-status").replaceChildren(...REVIEW_STATUSES.map((s) =>
      el("option", { value: s, "data-i18n": "st_" + (s || "all") }, t("st_" + (s || "all")))));
    try {
      view.fields = await api("GET", "/audiences/fields");
    } catch (e) { $("aud-error").textContent = e.message; return; }
    if (!$("aud-rules").children.length) { addRule(view.fields[0].name); changed(); }
    await Promise.all([loadAudiences(), loadCampaigns()]);
    if (!$("camp-steps").children.length) addStep();
  });
  hooks.signedOut.push(() => { $("views").hidden = true; $("campaigns").hidden = true; });
  hooks.language.push(() => {
    for (const row of $("aud-rules").children) if (row.refreshLabels) row.refreshLabels();
    if (view.count !== undefined) showCount();
    if (view.members) renderMembers();
    renderAudiences();
    renderCampaigns();
    if (view.campaign) { renderCampaignDetail(); renderReport(); renderJob(); }
    setStatus("");
    renderDraftList();
    if (view.current >= 0) showDraft(view.current, false);
  });

  function showView(name) {
    const campaigns = name === "campaigns";
    $("campaigns").hidden = !campaigns;
    $("desk").hidden = campaigns;
    $("view-desk").setAttribute("aria-pressed", String(!campaigns));
    $("view-campaigns").setAttribute("aria-pressed", String(campaigns));
    (campaigns ? $("aud-title") : $("customer-q")).focus();
  }
  $("aud-title").tabIndex = -1;
  $("view-desk").addEventListener("click", () => showView("desk"));
  $("view-campaigns").addEventListener("click", () => showView("campaigns"));

  // A value's label when i18n.js has one (v_<value>), else the value itself.
  const tv = (v) => (t("v_" + v) === "v_" + v ? v : t("v_" + v));
  const setStatus = (text, isError) => {
    $("camp-status").textContent = text || "";
    $("camp-status").classList.toggle("error", Boolean(isError));
  };
  const num = (n) => Number(n || 0).toLocaleString(document.documentElement.lang === "ja" ? "ja-JP" : "en-US");

  // ---- the audience builder -------------------------------------------------------------
  const fieldOf = (name) => view.fields.find((f) => f.name === name);

  // A row of the builder; `initial` (a rule, maybe negated) fills it, else a new rule on fieldName.
  function addRule(fieldName, initial) {
    const row = el("li", { class: "rule" });
    const negate = el("input", { type: "checkbox", class: "check", "aria-label": t("audNot") });
    const notLabel = el("label", { class: "small" }, negate, " ", el("span", { "data-i18n": "audNot" }, t("audNot")));
    const field = el("select", { "aria-label": t("audField"), class: "rule-field" });
    const op = el("select", { "aria-label": t("audOp"), class: "rule-op" });
    const value = el("span", { class: "rule-value" });
    const remove = el("button", { type: "button", class: "icon", "aria-label": t("remove"), title: t("remove") }, "×");
    row.append(notLabel, field, op, value, remove);
    const fillFields = () => {
      const chosen = field.value || fieldName;
      field.replaceChildren(...view.fields.map((f) =>
        el("option", { value: f.name, selected: f.name === chosen }, t("f_" + f.name))));
    };
    const fillOps = () => {
      const spec = fieldOf(field.value);
      const chosen = op.value;
      op.replaceChildren(...spec.ops.map((o) =>
        el("option", { value: o, selected: o === chosen }, t("op_" + o))));
    };
    const fillValue = () => {
      const spec = fieldOf(field.value);
      value.replaceChildren(...valueInputs(spec, op.value));
    };
    row.refreshLabels = () => {
      const [f, o] = [field.value, op.value];
      const v = readValue(fieldOf(f), o, value);
      fillFields(); field.value = f; fillOps(); op.value = o; fillValue();
      writeValue(fieldOf(f), o, value, v);
      notLabel.querySelector("span").textContent = t("audNot");
    };
    row.condition = () => {
      const rule = { field: field.value, op: op.value, value: readValue(fieldOf(field.value), op.value, value) };
      return negate.checked ? { not: rule } : rule;
    };
    field.addEventListener("change", () => { op.value = ""; fillOps(); fillValue(); changed(); });
    op.addEventListener("change", () => { fillValue(); changed(); });
    value.addEventListener("input", changed);
    value.addEventListener("change", changed);
    negate.addEventListener("change", changed);
    remove.addEventListener("click", () => { row.remove(); changed(); $("aud-add-rule").focus(); });
    fillFields();
    fillOps();
    if (initial) {
      const rule = initial.not || initial;
      negate.checked = Boolean(initial.not);
      field.value = rule.field;
      fillOps();
      op.value = rule.op;
    }
    fillValue();
    if (initial) writeValue(fieldOf(field.value), op.value, value, (initial.not || initial).value);
    $("aud-rules").append(row);
    return row;
  }

  function writeValue(spec, op, holder, v) {
    const controls = [...holder.querySelectorAll("input, select")];
    const put = (c, x) => { c.value = c.type === "date" ? String(x).slice(0, 10) : String(x); };
    if (spec.type === "enum" && LIST_OPS.includes(op)) { for (const c of controls) c.checked = v.includes(c.value); }
    else if (LIST_OPS.includes(op)) controls[0].value = v.join(", ");
    else if (op === "between") controls.forEach((c, k) => put(c, v[k]));
    else if (controls[0]) put(controls[0], v);
  }

  // Put a condition into the builder when it is flat (rules, possibly negated, under one
  // all/any); a deeper one stays in the JSON box, and the rows say so.
  function loadIntoBuilder(condition) {
    const isRule = (c) => c && (c.field || (c.not && c.not.field)) && fieldOf((c.not || c).field);
    const combine = condition.all ? "all" : condition.any ? "any" : null;
    const rules = combine ? condition[combine] : [condition];
    $("aud-rules").replaceChildren();
    if (!rules.every(isRule)) {
      $("aud-rules").append(el("li", { class: "muted small" }, t("audJsonOnly")));
      $("aud-json-box").open = true;
      return;
    }
    if (combine) $("aud-combine").value = combine;
    for (const r of rules) addRule(null, r);
  }

  function valueInputs(spec, op) {
    if (spec.type === "bool" || op === "is_set") {
      return [el("select", { "aria-label": t("audValue") },
        el("option", { value: "true" }, t("yes")), el("option", { value: "false" }, t("no")))];
    }
    if (spec.type === "enum" && LIST_OPS.includes(op)) {
      return spec.values.map((v, i) => el("label", { class: "chip" },
        el("input", { type: "checkbox", class: "check", value: v, checked: i === 0 }), tv(v)));
    }
    if (spec.type === "enum") {
      return [el("select", { "aria-label": t("audValue") }, spec.values.map((v) => el("option", { value: v }, tv(v))))];
    }
    if (DAY_OPS.includes(op)) {
      return [el("input", { type: "number", min: "0", value: "30", class: "narrow", "aria-label": t("days") }),
        el("span", { class: "small" }, ` ${t("days")}`)];
    }
    const type = spec.type === "date" ? "date" : spec.type === "number" ? "number" : "text";
    const input = (label) => el("input", { type, "aria-label": label, class: "narrow" });
    if (op === "between") return [input(t("from")), " – ", input(t("to"))];
    return [input(LIST_OPS.includes(op) ? t("commaList") : t("audValue"))];
  }

  function readValue(spec, op, holder) {
    const controls = [...holder.querySelectorAll("input, select")];
    if (!controls.length) return null;
    const cast = (raw) => (spec.type === "number" ? Number(raw) : raw);
    if (spec.type === "bool" || op === "is_set") return controls[0].value === "true";
    if (spec.type === "enum" && LIST_OPS.includes(op)) return controls.filter((c) => c.checked).map((c) => c.value);
    if (spec.type === "enum") return controls[0].value;
    if (DAY_OPS.includes(op)) return Number(controls[0].value);
    if (op === "between") return controls.map((c) => cast(c.value));
    if (LIST_OPS.includes(op)) return controls[0].value.split(/[,、]/).map((x) => x.trim()).filter(Boolean).map(cast);
    return cast(controls[0].value);
  }

  function builtCondition() {
    const rows = [...$("aud-rules").children].filter((row) => row.condition);
    if (rows.length < $("aud-rules").children.length) return view.condition; // edited as JSON
    const rules = rows.map((row) => row.condition());
    if (!rules.length) return null;
    if (rules.length === 1) return rules[0];
    return { [$("aud-combine").value]: rules };
  }

  let countTimer = null;
  function changed() {
    clearTimeout(countTimer);
    countTimer = setTimeout(() => liveCount(builtCondition()), 250);
  }
  $("aud-combine").addEventListener("change", changed);
  $("aud-add-rule").addEventListener("click", () => {
    const row = addRule(view.fields[0].name);
    row.querySelector("select.rule-field").focus();
    changed();
  });

  async function liveCount(condition) {
    const seq = ++view.countSeq;
    $("aud-json").value = condition ? JSON.stringify(condition, null, 2) : "";
    if (!condition) { $("aud-count").textContent = ""; return; }
    $("aud-count").classList.add("busy");
    try {
      const r = await api("POST", "/audiences/count", { condition });
      if (seq !== view.countSeq) return; // a newer edit already answered
      $("aud-error").textContent = "";
      view.count = r.count;
      showCount();
      view.condition = condition;
    } catch (e) {
      if (seq !== view.countSeq) return;
      view.count = null;
      showCount();
      $("aud-error").textContent = e.message;
      view.condition = null;
    } finally { $("aud-count").classList.remove("busy"); }
  }

  function showCount() {
    $("aud-count").textContent = view.count === null ? "—" : `${num(view.count)} ${t("customersUnit")}`;
  }

  $("aud-json-apply").addEventListener("click", () => {
    let condition;
    try { condition = JSON.parse($("aud-json").value); } catch (e) {
      $("aud-error").textContent = `JSON: ${e.message}`; return;
    }
    liveCount(condition).then(() => {
      if (view.condition === condition) loadIntoBuilder(condition);
      $("aud-json").value = JSON.stringify(condition, null, 2);
    });
  });

  $("aud-save-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const condition = view.condition || builtCondition();
    try {
      const saved = await api("POST", "/audiences", {
        name: $("aud-name").value.trim(), description: $("aud-desc").value.trim() || null, condition,
      });
      $("aud-name").value = ""; $("aud-desc").value = "";
      $("aud-error").textContent = "";
      await loadAudiences();
      showMembers(saved);
    } catch (e) { $("aud-error").textContent = e.message; }
  });

  async function loadAudiences() {
    try { view.audiences = await api("GET", "/audiences"); } catch (e) { $("aud-error").textContent = e.message; }
    renderAudiences();
    fillEntryChoices();
  }

  function renderAudiences() {
    $("aud-list").replaceChildren(...(view.audiences.length ? view.audiences.map((a) => el("li", {},
      el("button", { type: "button", class: "linklike", "data-audience-id": a.id, onclick: () => showMembers(a) }, a.name),
      a.description ? el("span", { class: "muted small" }, ` · ${a.description}`) : null,
      el("button", { type: "button", class: "icon", title: t("remove"), "aria-label": `${t("remove")} ${a.name}`,
        onclick: () => deleteAudience(a) }, "×"))) : [el("li", { class: "muted" }, t("none"))]));
  }

  async function deleteAudience(a) {
    try { await api("DELETE", `/audiences/${a.id}`); await loadAudiences(); } catch (e) { $("aud-error").textContent = e.message; }
  }

  async function showMembers(a) {
    loadIntoBuilder(a.condition);
    liveCount(a.condition);
    try {
      view.members = { audience: a, page: await api("GET", `/audiences/${a.id}/members?per_page=10`) };
      renderMembers();
    } catch (e) { $("aud-error").textContent = e.message; }
  }

  function renderMembers() {
    const { audience, page } = view.members;
    $("aud-members-title").textContent = `${t("audMembers")}: ${audience.name} (${num(page.total)} ${t("customersUnit")})`;
    $("aud-members").replaceChildren(page.items.length ? el("table", { class: "orders" }, el("tbody", {},
      page.items.map((m) => el("tr", {},
        el("td", {}, m.name), el("td", {}, el("span", { class: `badge seg-${m.segment}` }, tv(m.segment))),
        el("td", { class: "num" }, `${m.order_count} ${t("ordersUnit")}`), el("td", { class: "num" }, yen(m.ltv)),
        el("td", {}, m.marketing_opt_in ? "" : el("span", { class: "badge bad" }, t("optOut"))))))) :
      el("p", { class: "muted" }, t("none")));
  }

  // ---- campaigns: list, define, run -----------------------------------------------------
  function fillEntryChoices() {
    const chosen = $("camp-entry").value;
    const options = [
      ...view.audiences.map((a) => el("option", { value: `audience:${a.id}` }, `${t("audience")}: ${a.name}`)),
      ...["first_order_at", "last_order_at", "ticket_resolved_at"].map((f) => el("option", { value: `trigger:${f}` }, `${t("trigger")}: ${t("f_" + f)}`)),
    ];
    $("camp-entry").replaceChildren(...options);
    if (chosen) $("camp-entry").value = chosen;
    showWindow();
  }

  // The date window only applies to a trigger entry.
  function showWindow() {
    const trigger = $("camp-entry").value.startsWith("trigger:");
    $("camp-window").hidden = !trigger;
    $("camp-window-label").hidden = !trigger;
  }
  $("camp-entry").addEventListener("change", showWindow);

  function addStep() {
    const purposes = view.vocabulary.purposes;
    const i = $("camp-steps").children.length;
    const delay = el("input", { type: "number", min: "0", value: String([7, 21, 45][i] ?? 7 * (i + 1)), class: "tiny", "aria-label": t("campDelay") });
    const purpose = el("select", { "aria-label": t("purpose") }, purposes.map((p) => el("option", { value: p }, t("p_" + p))));
    const code = el("input", { placeholder: t("campOfferCode"), "aria-label": t("campOfferCode"), class: "narrow", maxlength: "32" });
    const percent = el("input", { type: "number", min: "1", max: "100", placeholder: "%", "aria-label": t("campOfferPercent"), class: "tiny" });
    const until = el("input", { type: "date", "aria-label": t("campOfferUntil"), class: "narrow" });
    const remove = el("button", { type: "button", class: "icon", "aria-label": t("remove") }, "×");
    const row = el("li", { class: "rule step" }, delay, el("span", { class: "small" }, t("campDaysAfter")), purpose, code, percent, until, remove);
    remove.addEventListener("click", () => row.remove());
    row.step = () => {
      const step = { purpose: purpose.value, delay_days: Number(delay.value) };
      // Which frame of a multi-step purpose (the F2 sequence has three); other purposes ignore it.
      const earlier = [...$("camp-steps").children].slice(0, [...$("camp-steps").children].indexOf(row))
        .filter((r) => r.querySelector("select").value === purpose.value).length;
      step.f2_step = Math.min(earlier + 1, 3);
      if (code.value.trim()) {
        step.offer = { code: code.value.trim().toUpperCase(), kind: "percent", value: Number(percent.value || 10) };
        if (until.value) step.offer.valid_until = until.value;
      }
      return step;
    };
    $("camp-steps").append(row);
  }
  $("camp-add-step").addEventListener("click", addStep);

  $("camp-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const [kind, ref] = $("camp-entry").value.split(":");
    const definition = {
      name: $("camp-name").value.trim(),
      steps: [...$("camp-steps").children].map((row) => row.step()),
      holdout_percent: Number($("camp-holdout").value || 0),
    };
    if (kind === "audience") definition.audience_id = Number(ref);
    else definition.trigger = { field: ref, within_days: Number($("camp-window").value || 60) };
    if ($("camp-exit-f2").checked) definition.exit_when = F2_EXIT;
    try {
      const created = await api("POST", "/campaigns", definition);
      $("camp-new").open = false;
      await loadCampaigns();
      selectCampaign(created.id);
      setStatus(t("campCreated"));
    } catch (e) { setStatus(e.message, true); }
  });

  async function loadCampaigns() {
    try { view.campaigns = (await api("GET", "/campaigns")).items; } catch (e) { setStatus(e.message, true); view.campaigns = []; }
    renderCampaigns();
  }

  function renderCampaigns() {
    $("camp-list").replaceChildren(...(view.campaigns.length ? view.campaigns.map((c) => el("li", {},
      el("button", { type: "button", class: "result", "data-campaign-id": c.id, "aria-pressed": String(view.campaign?.id === c.id),
        onclick: () => selectCampaign(c.id) },
        el("strong", {}, c.name), el("br"),
        el("span", { class: "muted small" }, countsLine(c.counts))))) : [el("li", { class: "muted" }, t("none"))]));
  }

  function countsLine(counts) {
    const c = counts || {};
    return ["enrolled", "draft", "approved", "exported"].map((k) => `${t("c_" + k)} ${num(c[k])}`).join(" · ");
  }

  async function selectCampaign(id) {
    try { view.campaign = await api("GET", `/campaigns/${id}`); } catch (e) { setStatus(e.message, true); return; }
    view.campaigns = view.campaigns.map((c) => (c.id === id ? view.campaign : c));
    renderCampaigns();
    renderJob();
    renderCampaignDetail();
    renderReport();
    await loadDrafts();
  }

  function renderCampaignDetail() {
    const c = view.campaign;
    $("camp-detail").hidden = false;
    $("camp-detail-title").textContent = c.name;
    const steps = (c.definition.steps || []).map((s, i) => `${i + 1}. +${s.delay_days}${t("daysShort")} ${t("p_" + s.purpose)}${s.offer ? ` (${s.offer.code})` : ""}`);
    $("camp-counts").textContent = `${steps.join(" / ")} — ${countsLine(c.counts)}`;
  }

  $("camp-run").addEventListener("click", async () => {
    const c = view.campaign;
    if (!c) return;
    const local = $("camp-now").value;
    const body = { now: local ? new Date(local).toISOString() : null, code_only: $("camp-code-only").checked };
    $("camp-run").disabled = true;
    try {
      const job = await api("POST", `/campaigns/${c.id}/run`, body);
      view.job = job.job_id;
      $("camp-cancel").hidden = false;
      $("camp-progress").hidden = false;
      await pollJob(job);
    } catch (e) { setStatus(e.message, true); }
    finally { $("camp-run").disabled = false; $("camp-cancel").hidden = true; }
  });

  $("camp-cancel").addEventListener("click", () => {
    if (view.job) api("POST", `/jobs/${view.job}/cancel`).catch((e) => setStatus(e.message, true));
  });

  async function pollJob(job) {
    for (;;) {
      $("camp-progress").max = Math.max(job.total || 0, 1);
      $("camp-progress").value = job.done || 0;
      view.lastJob = job;
      renderJob();
      if (!["queued", "running"].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 400));
      job = await api("GET", `/jobs/${job.job_id}`);
    }
    view.job = null;
    $("camp-progress").hidden = true;
    if (job.status === "failed") setStatus(job.error || t("error"), true);
    else setStatus("");
    await selectCampaign(view.campaign.id);
  }

  function renderJob() {
    const job = view.lastJob;
    if (!job || job.campaign_id !== view.campaign?.id) { $("camp-job").textContent = ""; return; }
    $("camp-job").textContent = `${t("j_" + job.status)} · ${num(job.done)} / ${num(job.total)}` +
      ` · ${t("c_enrolled")} +${num(job.entered)} · ${t("c_exited")} ${num(job.exited)} · ${t("c_skipped")} ${num(job.skipped)}`;
  }

  async function exportAs(format) {
    const c = view.campaign;
    if (!c) return;
    try {
      const res = await fetch(`/campaigns/${c.id}/export?format=${format}`, { method: "POST", credentials: "same-origin" });
      if (!res.ok) throw new Error((await res.json().catch(() => ({ error: { message: String(res.status) } }))).error.message);
      const n = res.headers.get("X-Exported-Count") || "0";
      const link = el("a", { href: URL.createObjectURL(await res.blob()), download: `campaign-${c.id}.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
      setStatus(`${t("campExported")}: ${num(n)}`);
      await selectCampaign(c.id);
    } catch (e) { setStatus(e.message, true); }
  }
  $("camp-export-csv").addEventListener("click", () => exportAs("csv"));
  $("camp-export-jsonl").addEventListener("click", () => exportAs("jsonl"));

  $("camp-report-open").addEventListener("click", async () => {
    const c = view.campaign;
    if (!c) return;
    try {
      view.report = await api("GET", `/campaigns/${c.id}/report`);
      renderReport();
    } catch (e) { setStatus(e.message, true); }
  });

  function renderReport() {
    const r = view.report;
    if (!r || r.campaign_id !== view.campaign?.id) { $("camp-report").replaceChildren(); return; }
    const cols = ["audience", "drafted", "approved", "exported", "opened", "clicked", "converted", "revenue"];
    const row = (label, s) => el("tr", {}, el("th", { scope: "row" }, label),
      cols.map((k) => el("td", { class: "num" }, k === "revenue" ? yen(s[k]) : num(s[k]))),
      el("td", { class: "num" }, s.uplift === null || s.uplift === undefined ? "—" : `${s.uplift > 0 ? "+" : ""}${s.uplift}pt`));
    $("camp-report").replaceChildren(el("table", { class: "report" },
      el("thead", {}, el("tr", {}, el("th", {}, t("step")), cols.map((k) => el("th", { scope: "col" }, t("r_" + k))), el("th", {}, t("r_uplift")))),
      el("tbody", {}, r.steps.map((s) => row(`${s.step_index + 1}. ${t("p_" + s.purpose)}`, s)), row(t("total"), r.total))));
  }

  // ---- draft review -----------------------------------------------------------------------
  $("rev-status").addEventListener("change", loadDrafts);

  async function loadDrafts() {
    const c = view.campaign;
    if (!c) return;
    try {
      const status = $("rev-status").value;
      const page = await api("GET", `/campaigns/${c.id}/drafts?per_page=200${status ? `&status=${status}` : ""}`);
      view.drafts = page.items;
    } catch (e) { setStatus(e.message, true); view.drafts = []; }
    renderDraftList();
    if (view.drafts.length) showDraft(0, false);
    else { view.current = -1; $("rev-draft").hidden = true; $("rev-card").hidden = true; }
  }

  function renderDraftList() {
    $("rev-list").replaceChildren(...(view.drafts.length ? view.drafts.map((d, i) => el("li", {},
      el("button", { type: "button", class: "result", "data-draft-id": d.id, "aria-current": i === view.current ? "true" : null,
        onclick: () => showDraft(i) },
        el("strong", {}, d.name || `customer:${d.customer_id}`), el("br"),
        el("span", { class: "muted small" }, `${t("step")} ${d.step_index + 1} · `),
        el("span", { class: `badge st-${d.status}` }, t("st_" + d.status))))) : [el("li", { class: "muted" }, t("none"))]));
  }

  async function showDraft(i, focus = true) {
    const d = view.drafts[i];
    if (!d) return;
    view.current = i;
    for (const b of $("rev-list").querySelectorAll("button")) b.removeAttribute("aria-current");
    const button = $("rev-list").querySelector(`[data-draft-id="${d.id}"]`);
    if (button) { button.setAttribute("aria-current", "true"); if (focus) button.focus(); button.scrollIntoView({ block: "nearest" }); }
    $("rev-draft").hidden = false;
    $("rev-meta").textContent = `#${d.id} · ${t("step")} ${d.step_index + 1} · ${t("p_" + d.purpose)} · ${t("st_" + d.status)}` +
      `${d.scheduled_at ? ` · ${t("scheduled")} ${day(d.scheduled_at)}` : ""} · ${d.model || ""}`;
    const done = d.status === "exported";  // handed off: nothing left to review
    for (const id of ["rev-approve", "rev-reject", "rev-save"]) $(id).disabled = done;
    $("rev-subject").readOnly = done;
    $("rev-body").readOnly = done;
    $("rev-subject").value = d.subject || "";
    $("rev-body").value = d.body || "";
    $("rev-offer").textContent = d.offer ? `${t("offer")}: ${d.offer.code} · ${d.offer.kind === "percent" ? `${d.offer.value}%` : yen(d.offer.value, d.offer.currency)}` +
      `${d.offer.valid_until ? ` · ${t("validUntil")} ${d.offer.valid_until}` : ""}` : "";
    $("rev-cites").replaceChildren(sourcesList(d.citations) || el("p", { class: "muted small" }, t("noCitations")));
    const open = $("rev-cites").querySelector("details");
    if (open) open.open = true;
    $("rev-card").hidden = false;
    $("rev-card").replaceChildren(el("p", { class: "muted" }, t("loading")));
    try {
      const p = await api("GET", `/customers/${d.customer_id}`);
      if (view.drafts[view.current] !== d) return;
      $("rev-card").replaceChildren(
        el("h3", { class: "name" }, p.customer.name, " ", el("span", { class: "muted" }, p.customer.name_kana || "")),
        el("button", { type: "button", class: "linklike small", onclick: () => openRecord(`profile:${p.customer.id}`) }, `customer:${p.customer.id}`),
        profileFacts(p),
        el("h4", {}, t("recentInteractions")),
        el("ul", { class: "interactions" }, (p.latest_interactions || []).slice(0, 4).map((x) => el("li", {},
          el("button", { type: "button", class: "linklike", onclick: () => openRecord(`interaction:${x.id}`) },
            `${day(x.occurred_at)} · ${x.kind} · ${x.subject || x.body.slice(0, 40)}`)))));
    } catch (e) { $("rev-card").replaceChildren(el("p", { class: "error" }, e.message)); }
  }

  async function review(action) {
    const d = view.drafts[view.current];
    if (!d) return;
    try {
      let updated;
      if (action === "save") updated = await api("PUT", `/drafts/${d.id}`, { subject: $("rev-subject").value, body: $("rev-body").value });
      else updated = await api("POST", `/drafts/${d.id}/${action}`);
      view.drafts[view.current] = { ...d, ...updated };
      renderDraftList();
      setStatus(`#${d.id}: ${t("st_" + updated.status)}`);
      if (action === "save") showDraft(view.current);
      else showDraft(Math.min(view.current + 1, view.drafts.length - 1));
    } catch (e) { setStatus(e.message, true); }
  }
  $("rev-approve").addEventListener("click", () => review("approve"));
  $("rev-reject").addEventListener("click", () => review("reject"));
  $("rev-save").addEventListener("click", () => review("save"));

  $("rev-approve-all").addEventListener("click", async () => {
    const c = view.campaign;
    if (!c) return;
    try {
      const r = await api("POST", `/campaigns/${c.id}/drafts/approve`, { all: true });
      setStatus(`${t("st_approved")}: ${num(r.approved)}`);
      await selectCampaign(c.id);
    } catch (e) { setStatus(e.message, true); }
  });

  document.addEventListener("keydown", (ev) => {
    if ($("campaigns").hidden || ev.altKey || ev.metaKey) return;
    const inText = ["rev-subject", "rev-body"].includes(document.activeElement.id);
    if (inText) {
      if (ev.key === "Enter" && ev.ctrlKey) { ev.preventDefault(); review("save"); }
      else if (ev.key === "Escape") { ev.preventDefault(); showDraft(view.current); }
      return;
    }
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (typing || ev.ctrlKey || view.current < 0 || $("record-dialog").open) return;
    const keys = {
      j: () => showDraft(Math.min(view.current + 1, view.drafts.length - 1)),
      ArrowDown: () => showDraft(Math.min(view.current + 1, view.drafts.length - 1)),
      k: () => showDraft(Math.max(view.current - 1, 0)),
      ArrowUp: () => showDraft(Math.max(view.current - 1, 0)),
      a: () => review("approve"),
      r: () => review("reject"),
      e: () => $("rev-body").focus(),
    };
    const inDrafts = document.activeElement.closest && document.activeElement.closest("#rev-list, .review");
    if (keys[ev.key] && (inDrafts || /^[jkare]$/.test(ev.key))) { ev.preventDefault(); keys[ev.key](); }
  });
})();
