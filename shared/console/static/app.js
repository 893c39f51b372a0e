// Switchboard console. Everything that comes from a reply — texts, card titles,
// links, trace details — is data: it goes into the page with textContent, never as
// markup, and a link is followed only when it is http(s).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const api = "api/";
  const state = { conversation: null, history: [], email: "", token: "", info: null };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function safeLink(href) {
    try {
      const u = new URL(href, window.location.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (_) { return null; }
  }

  async function call(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    };
    const r = await fetch(api + path, opts);
    let data = null;
    try { data = await r.json(); } catch (_) { data = { error: "HTTP " + r.status }; }
    if (!r.ok) throw new Error((data && data.error) || ("HTTP " + r.status));
    return data;
  }

  function setStatus(text) { $("status").textContent = text; }

  function option(select, value, label) {
    const o = el("option", "", label);
    o.value = value;
    select.appendChild(o);
  }

  async function start() {
    const c = await call("start", { platform: $("platform").value, language: $("language").value, token: state.token });
    state.conversation = c;
    state.history = [];
    $("transcript").replaceChildren();
    $("request-json").textContent = "";
    $("reply-json").textContent = "";
    $("trace").tBodies[0].replaceChildren();
    setStatus("New " + c.platform + " conversation (session " + c.session + ")");
  }

  function addUser(text) {
    const li = el("li", "user", text);
    li.dataset.testid = "user-message";
    $("transcript").appendChild(li);
  }

  function buttonsOf(list) {
    const row = el("div", "buttons");
    for (const b of list || []) {
      const link = b.link ? safeLink(b.link) : null;
      if (link) {
        const a = el("a", "", b.text || link);
        a.href = link; a.target = "_blank"; a.rel = "noopener noreferrer";
        row.appendChild(a);
      } else {
        const btn = el("button", "", b.text);
        btn.type = "button";
        btn.addEventListener("click", () => send(b.value || b.text));
        row.appendChild(btn);
      }
    }
    return row;
  }

  // showTurn fills the panes with one turn: the request and reply as sent, the trace.
  function showTurn(res) {
    $("request-json").textContent = JSON.stringify(res.request, null, 2);
    $("reply-json").textContent = JSON.stringify(res.reply, null, 2);
    showTrace(res.trace);
    for (const r of document.querySelectorAll("#transcript li.selected")) r.classList.remove("selected");
  }

  function addReply(res) {
    const v = res.view || { texts: [] };
    const li = el("li", "reply");
    li.dataset.testid = "reply";
    if (v.error) {
      li.classList.add("error");
      li.appendChild(el("div", "", "HTTP " + res.status + ": " + v.error));
    }
    for (const t of v.texts || []) li.appendChild(el("div", "text", t));
    for (const c of v.cards || []) {
      const card = el("div", "card");
      card.dataset.testid = "card";
      card.appendChild(el("div", "title", c.title));
      if (c.subtitle) card.appendChild(el("div", "subtitle", c.subtitle));
      const btns = (c.buttons || []).slice();
      if (c.link && !btns.some((b) => b.link === c.link)) btns.push({ text: c.link, link: c.link });
      if (btns.length) card.appendChild(buttonsOf(btns));
      li.appendChild(card);
    }
    if (v.buttons && v.buttons.length) li.appendChild(buttonsOf(v.buttons));
    const meta = [res.trace.intent, "HTTP " + res.status, res.trace.latency_ms.toFixed(1) + " ms"];
    if (v.elicit) meta.push("asks for " + v.elicit);
    li.appendChild(el("div", "meta", meta.join(" · ")));
    const idx = state.history.length - 1;
    li.title = "show this turn's request, reply and trace";
    li.addEventListener("click", (e) => {
      if (e.target.closest("a, button")) return;
      showTurn(res);
      li.classList.add("selected");
      setStatus("Turn " + (idx + 1) + ": " + res.trace.intent + ", HTTP " + res.status);
    });
    $("transcript").appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function showTrace(tr) {
    const body = $("trace").tBodies[0];
    body.replaceChildren();
    for (const e of tr.events || []) {
      const row = el("tr");
      row.dataset.kind = e.kind;
      row.appendChild(el("td", "", e.at_ms.toFixed(1)));
      row.appendChild(el("td", "kind-" + e.kind, e.kind));
      row.appendChild(el("td", "", e.name));
      row.appendChild(el("td", "", e.duration_ms ? e.duration_ms.toFixed(2) : ""));
      const d = Object.entries(e.detail || {}).filter(([, v]) => v !== "").map(([k, v]) => k + "=" + v).join(" ");
      row.appendChild(el("td", "", d));
      body.appendChild(row);
    }
    if (!body.children.length) {
      const row = el("tr");
      const td = el("td", "", "no tool call, cache, idempotency or policy step in this turn");
      td.colSpan = 5;
      row.appendChild(td);
      body.appendChild(row);
    }
  }

  async function send(text) {
    text = (text || "").trim();
    if (!text) return;
    if (!state.conversation) await start();
    addUser(text);
    $("message").value = "";
    $("send").disabled = true;
    try {
      const res = await call("turn", { conversation: state.conversation, text: text, intent: $("intent").value });
      state.conversation = res.conversation;
      state.history.push({ text: text, request: res.request, status: res.status, reply: res.reply });
      showTurn(res);
      addReply(res);
      setStatus("Turn " + res.conversation.turns + ": " + res.trace.intent + ", HTTP " + res.status);
      if (res.view && res.view.elicit === "verification_code") pollOutbox(res.slots && res.slots.email);
    } catch (err) {
      const li = el("li", "reply error", "console: " + err.message);
      li.dataset.testid = "reply";
      $("transcript").appendChild(li);
    } finally {
      $("send").disabled = false;
      $("message").focus();
    }
  }

  async function pollOutbox(email) {
    if (!state.info || !state.info.outbox) return;
    const q = email ? "?email=" + encodeURIComponent(email) : "";
    try {
      const res = await call("outbox" + q);
      const box = $("outbox-codes");
      box.replaceChildren();
      for (const c of (res.codes || []).slice(0, 1)) {
        const code = el("code", "", c.code);
        code.dataset.testid = "outbox-code";
        box.appendChild(el("span", "", "code for " + c.to + ": "));
        box.appendChild(code);
        const use = el("button", "", "Type it");
        use.type = "button";
        use.dataset.testid = "use-code";
        use.addEventListener("click", () => { $("message").value = c.code; $("message").focus(); });
        box.appendChild(use);
      }
      $("outbox").hidden = !box.children.length;
    } catch (err) { setStatus("outbox: " + err.message); }
  }

  async function signIn() {
    const email = $("sign-in-email").value.trim();
    try {
      const res = await call("signin", { email: email });
      state.token = res.token; state.email = res.email;
      $("identity").textContent = "signed in as " + res.email;
      $("sign-out").hidden = false;
      await start();
    } catch (err) { setStatus("sign-in: " + err.message); }
  }

  async function signOut() {
    state.token = ""; state.email = "";
    $("identity").textContent = "anonymous";
    $("sign-out").hidden = true;
    await start();
  }

  function exportFixture() {
    const c = state.conversation;
    if (!c) return;
    const fixture = {
      switchboard_console: 1, platform: c.platform, language: c.language,
      turns: state.history.map((h) => ({ text: h.text, request: h.request, status: h.status, reply: h.reply })),
    };
    const blob = new Blob([JSON.stringify(fixture, null, 2) + "\n"], { type: "application/json" });
    const a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "console-" + c.platform + "-" + c.session + ".json";
    a.dataset.testid = "export-link";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  async function init() {
    const info = await call("info");
    state.info = info;
    for (const p of info.platforms) option($("platform"), p, p);
    for (const l of info.languages) option($("language"), l, l);
    for (const i of info.intents) option($("intent"), i, i);
    for (const c of info.demo_customers || []) option($("customers"), c, c);
    if (!info.sign_in) { $("sign-in").disabled = true; $("sign-in").title = "this configuration does not accept the demo key"; }
    $("composer").addEventListener("submit", (e) => { e.preventDefault(); send($("message").value); });
    $("platform").addEventListener("change", start);
    $("language").addEventListener("change", start);
    $("reset").addEventListener("click", start);
    $("sign-in").addEventListener("click", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("export").addEventListener("click", exportFixture);
    await start();
    document.body.dataset.ready = "true";
  }
  init().catch((err) => setStatus("console: " + err.message));
})();
