// shiftgate web UI: the roster's cell edits (projections update before re-solving) and
// the solve job's progress. Plain JavaScript, no build step; the page works without it.
"use strict";

function csrf() { return document.body.dataset.csrf || ""; }

async function api(method, url, body) {
  const res = await fetch(url, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  if (!res.ok) { throw new Error(data.error ? data.error.message : res.statusText); }
  return data;
}

function showRoster(data) {
  document.getElementById("proj-hours").textContent = data.projected_hours.toFixed(1);
  document.getElementById("proj-overtime").textContent = data.projected_overtime_hours.toFixed(1);
  document.getElementById("proj-cost").textContent = data.projected_cost;
  for (const c of data.coverage) {
    const td = document.querySelector(`td.cov[data-day="${c.day}"][data-shift="${c.shift}"]`);
    if (!td) continue;
    td.textContent = c.target === null ? `${c.assigned}` : `${c.assigned}/${c.target}`;
    td.className = `cov ${c.state}`;
  }
}

function wireRoster() {
  const roster = document.getElementById("roster");
  if (!roster || roster.dataset.editable !== "yes") return;
  const codes = [...roster.querySelectorAll(".legend .cell")].map(s => s.textContent.split(" ")[0]);
  roster.addEventListener("change", async (ev) => {
    const sel = ev.target;
    if (!(sel instanceof HTMLSelectElement) || !sel.dataset.employee) return;
    sel.disabled = true;
    try {
      const data = await api("PUT", `/api/v1/rosters/${roster.dataset.run}/assignments`,
        { employee: sel.dataset.employee, day: sel.dataset.day, shift: sel.value });
      const idx = codes.indexOf(sel.value);
      sel.parentElement.className = `cell shift-${idx < 0 ? "off" : idx}`;
      showRoster(data);
      roster.dataset.edits = String(Number(roster.dataset.edits || 0) + 1);
    } catch (err) {
      alert(err.message);
    } finally {
      sel.disabled = false;
    }
  });
}

function wireJob() {
  const box = document.getElementById("job");
  if (!box) return;
  const poll = async () => {
    const job = await api("GET", `/api/v1/jobs/${box.dataset.job}`);
    box.dataset.status = job.status;
    document.getElementById("job-status").textContent = job.status;
    document.getElementById("job-progress").textContent =
      job.objective === null ? "" : `objective ${job.objective} · ${job.solutions} rosters`;
    document.getElementById("job-message").textContent = job.message;
    if (job.status === "done") {
      window.location = `/roster?site=${encodeURIComponent(box.dataset.site)}&run=${job.run_id}`;
    } else if (job.status !== "failed") {
      setTimeout(poll, 500);
    }
  };
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") poll();
}

document.addEventListener("DOMContentLoaded", () => { wireRoster(); wireJob(); });
