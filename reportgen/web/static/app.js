// The page's one script: the upload, the findings and centres tables with their filters,
// the build and its progress. Served by reportgen itself; no build step.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("upload");
  const files = $("files");
  const drop = $("drop");
  let findings = [];

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value === null || value === undefined ? "" : String(value);
    if (cls) el.className = cls;
    return el;
  }

  function say(el, message, isError) {
    el.textContent = message;
    el.classList.toggle("error", Boolean(isError));
  }

  function formData() {
    const data = new FormData();
    for (const f of files.files) data.append("files", f);
    for (const f of $("plan").files) data.append("plan", f);
    for (const f of $("previous").files) data.append("previous", f);
    return data;
  }

  async function answer(response) {
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (body === null) body = { error: { code: "RG990", message: "Serveren svarede uventet (" + response.status + ")." } };
    return body;
  }

  function place(f) {
    return [f.file, f.sheet, f.cell].filter(Boolean).join(" › ");
  }

  function showFindings() {
    const centre = $("filter-centre").value;
    const severity = $("filter-severity").value;
    const body = $("findings").tBodies[0];
    body.replaceChildren();
    for (const f of findings) {
      if (centre && f.centre !== centre) continue;
      if (severity && f.severity !== severity) continue;
      const row = document.createElement("tr");
      row.className = f.severity;
      row.append(text("td", f.severity), text("td", f.code), text("td", f.centre),
                 text("td", place(f)), text("td", f.message));
      body.append(row);
    }
    if (!body.rows.length) {
      const row = document.createElement("tr");
      const cell = text("td", findings.length ? "Ingen fund med dette filter." : "Ingen fund.");
      cell.colSpan = 5;
      row.append(cell);
      body.append(row);
    }
  }

  function showCheck(result) {
    findings = result.findings || [];
    const errors = findings.filter((f) => f.severity === "fejl").length;
    say($("summary"), result.goals + " mål læst; " + errors + " fejl, " +
        (findings.length - errors) + " andre fund.", errors > 0);
    const select = $("filter-centre");
    const chosen = select.value;
    select.replaceChildren(text("option", "Alle"));
    select.options[0].value = "";
    const centres = [...new Set(findings.map((f) => f.centre).filter(Boolean))].sort();
    for (const c of centres) select.append(text("option", c));
    select.value = centres.includes(chosen) ? chosen : "";
    showFindings();
    const body = $("centres").tBodies[0];
    body.replaceChildren();
    for (const c of result.centres || []) {
      const row = document.createElement("tr");
      if (c.missing.length) row.className = "behind";
      row.append(text("td", c.centre), text("td", c.goals), text("td", c.reported),
                 text("td", c.received ? c.missing.join(", ") : "ingen arbejdsbog modtaget"));
      body.append(row);
    }
    for (const [name, value] of Object.entries(result.details || {})) {
      const field = $("detail-" + name);
      if (field && !field.dataset.edited) field.value = value || "";
    }
    $("trin-2").hidden = false;
    $("trin-3").hidden = false;
  }

  async function check(event) {
    if (event) event.preventDefault();
    if (!files.files.length) return;
    $("check").disabled = true;
    say($("status"), "Tjekker arbejdsbøgerne …");
    try {
      const response = await fetch("/api/check", { method: "POST", body: formData() });
      const body = await answer(response);
      if (!response.ok) {
        say($("status"), body.error.code + " fejl: " + body.error.message, true);
        return;
      }
      say($("status"), "Tjekket.");
      showCheck(body);
    } catch (e) {
      say($("status"), "Serveren svarer ikke. Prøv igen.", true);
    } finally {
      $("check").disabled = false;
    }
  }

  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  async function build() {
    const data = formData();
    const draft = document.querySelector("input[name=kind]:checked").value === "draft";
    if (draft) data.append("draft", "1");
    for (const field of document.querySelectorAll("#details input")) {
      if (field.dataset.edited) data.append(field.name, field.value);
    }
    $("build").disabled = true;
    $("downloads").replaceChildren();
    $("preview").hidden = true;
    const bar = $("progress");
    bar.hidden = false;
    bar.value = 0;
    const status = $("build-status");
    say(status, "Sender arbejdsbøgerne …");
    try {
      // Answered at once with the job; it is checked when a build process takes it, and
      // its state says how far it is, the check's findings once made, and why it failed.
      let response = await fetch("/api/build", { method: "POST", body: data });
      let body = await answer(response);
      const refused = (error) => {
        say(status, error.code + " fejl: " + error.message, true);
        bar.hidden = true;
      };
      if (!response.ok) { refused(body.error); return; }
      const url = "/api/jobs/" + encodeURIComponent(body.job);
      let shown = false;
      for (;;) {
        if (body.findings && !shown) { showCheck(body); shown = true; }
        bar.value = body.progress;
        bar.textContent = Math.round(body.progress * 100) + " %";
        if (body.state === "done" || body.state === "failed") break;
        say(status, body.state === "queued" ? "Venter på en ledig byggeproces …"
          : "Bygger rapporten …");
        await sleep(250);
        response = await fetch(url);
        body = await answer(response);
        if (!response.ok) { refused(body.error); return; }
      }
      if (body.state === "failed") { refused(body.error); return; }
      say(status, body.message);
      for (const f of body.files) {
        const item = document.createElement("li");
        const link = text("a", f.name);
        link.href = f.url;
        link.setAttribute("download", f.name);
        item.append(link);
        $("downloads").append(item);
      }
      if (body.preview) {
        $("preview-img").src = body.preview;
        $("preview").hidden = false;
      }
    } catch (e) {
      say(status, "Serveren svarer ikke. Prøv igen.", true);
    } finally {
      $("build").disabled = false;
    }
  }

  form.addEventListener("submit", check);
  files.addEventListener("change", () => check());
  $("filter-centre").addEventListener("change", showFindings);
  $("filter-severity").addEventListener("change", showFindings);
  $("build").addEventListener("click", build);
  for (const field of document.querySelectorAll("#details input")) {
    field.addEventListener("input", () => { field.dataset.edited = "1"; });
  }
  for (const kind of ["dragenter", "dragover"]) {
    drop.addEventListener(kind, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const kind of ["dragleave", "drop"]) {
    drop.addEventListener(kind, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    files.files = e.dataTransfer.files;
    check();
  });
}());
