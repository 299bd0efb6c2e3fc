// People administration: sign in, list and search the users you administer, change one's
// role, areas or authority, disable or enable them, send a reset link, read the audit,
// and change your own password.
import { t } from "../page/i18n.js";
import { api, byId, clearErrors, showErrors, token } from "./api.js";

const EDIT_FIELDS = { role: "e-role", areas: "e-areas", authority: "e-authority" };
const PASSWORD_FIELDS = { current_password: "p-current", new_password: "p-new" };
// the roles by their names in the reader's language (the API's values stay as they are)
const ROLES = {
  contributor: t("contributor"),
  moderator: t("moderator"),
  analyst: t("analyst"),
  admin: t("admin"),
};
const roleName = (value) => ROLES[value] || value;
let me = null;
let chosen = null;
let next = null;

const status = (text) => { byId("status").textContent = text; };
const cell = (text) => {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
};

function showSignedIn() {
  const ofAreas = me && me.areas.length && me.role === "admin";
  byId("who").textContent = !me ? ""
    : ofAreas ? t("{email} ({role} of {areas})", { email: me.email, role: roleName(me.role), areas: me.areas.join(", ") })
    : t("{email} ({role})", { email: me.email, role: roleName(me.role) });
  byId("sign-in").hidden = Boolean(me);
  byId("sign-out").hidden = !me;
  byId("password").hidden = !me;
  byId("admin").hidden = !me || me.role !== "admin";
  if (me && me.role !== "admin") status(t("Only admins administer people; you can change your own password here."));
}

async function loadMe() {
  me = null;
  if (token.get()) {
    const { response, body } = await api("/auth/me");
    if (response.ok) me = body;
    else token.forget();
  }
  showSignedIn();
  if (me && me.role === "admin") await Promise.all([search(), loadAudit()]);
}

function row(user) {
  const tr = document.createElement("tr");
  const first = document.createElement("td");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = user.email;
  button.addEventListener("click", () => choose(user));
  first.append(button);
  const account = cell(user.disabled_at ? t("disabled") : t("enabled"));
  if (user.disabled_at) account.className = "disabled";
  tr.append(first, cell(roleName(user.role)), cell(user.areas.join(", ")), cell(user.authority || ""), account);
  return tr;
}

async function search(more = false) {
  const query = new URLSearchParams();
  for (const [name, id] of [["q", "q"], ["role", "f-role"], ["disabled", "f-disabled"]]) {
    if (byId(id).value) query.set(name, byId(id).value);
  }
  if (more && next) query.set("after", next);
  const { response, body } = await api(`/people/users?${query}`);
  if (!response.ok) { status((body && body.detail) || t("The users could not be listed.")); return; }
  const tbody = byId("users").tBodies[0];
  if (!more) tbody.replaceChildren();
  for (const user of body.users) tbody.append(row(user));
  next = body.next;
  byId("more").hidden = !next;
  const n = tbody.rows.length;
  status(n === 1 ? t("{n} user shown", { n }) : t("{n} users shown", { n }));
}

function choose(user) {
  chosen = user;
  byId("edit-email").textContent = user.email;
  byId("e-role").value = user.role;
  byId("e-areas").value = user.areas.join(", ");
  byId("e-authority").value = user.authority || "";
  byId("toggle").textContent = user.disabled_at ? t("Enable their account") : t("Disable their account");
  byId("reset-result").textContent = "";
  clearErrors(EDIT_FIELDS, "edit-error");
  byId("edit").hidden = false;
  byId("e-role").focus();
  loadAudit(user.email);
}

async function changed(body, said) {
  await search();
  choose(body);
  status(said);
}

byId("edit").addEventListener("submit", async (event) => {
  event.preventDefault();
  const areas = byId("e-areas").value.split(",").map((code) => code.trim()).filter(Boolean);
  const role = byId("e-role").value;
  // only contributors and analysts belong to an authority; the others' follows from areas
  const belongs = ["contributor", "analyst"].includes(role);
  const authority = (belongs && byId("e-authority").value.trim()) || null;
  const { response, body } = await api(`/people/users/${chosen.id}`, {
    method: "PATCH",
    json: { role, areas: belongs ? [] : areas, authority },
  });
  if (!response.ok) { showErrors(body, EDIT_FIELDS, "edit-error"); return; }
  const now = body.areas.length
    ? t("{email} is now {role} of {areas}", { email: body.email, role: roleName(body.role), areas: body.areas.join(", ") })
    : t("{email} is now {role}", { email: body.email, role: roleName(body.role) });
  await changed(body, now);
});

byId("toggle").addEventListener("click", async () => {
  const action = chosen.disabled_at ? "enable" : "disable";
  const { response, body } = await api(`/people/users/${chosen.id}/${action}`, { method: "POST" });
  if (!response.ok) { showErrors(body, EDIT_FIELDS, "edit-error"); return; }
  const said = action === "enable" ? t("{email} is enabled", body) : t("{email} is disabled", body);
  await changed(body, said);
});

byId("reset").addEventListener("click", async () => {
  const { response, body } = await api(`/people/users/${chosen.id}/reset`, { method: "POST" });
  if (!response.ok) { showErrors(body, EDIT_FIELDS, "edit-error"); return; }
  byId("reset-result").textContent = body.emailed_to
    ? t("A link was emailed to {emailed_to}.", body)
    : t("Pass this link on to them (it works once): {link}", body);
  loadAudit(chosen.email);
});

byId("edit-close").addEventListener("click", () => {
  byId("edit").hidden = true;
  chosen = null;
  loadAudit();
});

async function loadAudit(email) {
  const query = new URLSearchParams({ limit: "20" });
  if (email) query.set("email", email);
  const { response, body } = await api(`/people/audit?${query}`);
  const list = byId("audit");
  list.replaceChildren();
  if (!response.ok) return;
  for (const entry of body.entries) {
    const item = document.createElement("li");
    const when = new Date(entry.at).toLocaleString(document.documentElement.lang === "cy" ? "cy-GB" : "en-GB");
    const what = entry.after ? ` → ${JSON.stringify(entry.after)}` : "";
    item.textContent = `${when}: ${entry.actor} — ${entry.action} — ${entry.email}${what}`;
    list.append(item);
  }
  if (!body.entries.length) list.append(Object.assign(document.createElement("li"), { textContent: t("Nothing yet.") }));
}

const ADD_FIELDS = { email: "a-email", role: "a-role", areas: "a-areas", authority: "a-authority" };

byId("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const role = byId("a-role").value;
  const belongs = ["contributor", "analyst"].includes(role);
  const areas = byId("a-areas").value.split(",").map((code) => code.trim()).filter(Boolean);
  const { response, body } = await api("/people/users", {
    method: "POST",
    json: {
      email: byId("a-email").value,
      role,
      areas: belongs ? [] : areas,
      authority: (belongs && byId("a-authority").value.trim()) || null,
    },
  });
  if (!response.ok) { showErrors(body, ADD_FIELDS, "add-error"); return; }
  clearErrors(ADD_FIELDS, "add-error");
  byId("add").reset();
  await changed(body, t("{email} is added: send them a reset link to choose a password", body));
});

byId("search").addEventListener("submit", (event) => { event.preventDefault(); search(); });
byId("more").addEventListener("click", () => search(true));

byId("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { response, body } = await api("/auth/token", {
    method: "POST",
    form: { username: byId("s-email").value, password: byId("s-password").value },
  });
  if (!response.ok) {
    byId("sign-in-error").textContent = (body && body.detail) || t("Signing in failed.");
    return;
  }
  byId("sign-in-error").textContent = "";
  byId("s-password").value = "";
  token.keep(body.access_token);
  await loadMe();
});

byId("sign-out").addEventListener("click", () => {
  token.forget();
  me = null;
  showSignedIn();
  status(t("Signed out"));
});

byId("password").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { response, body } = await api("/auth/password", {
    method: "POST",
    json: { current_password: byId("p-current").value, new_password: byId("p-new").value },
  });
  if (!response.ok) { showErrors(body, PASSWORD_FIELDS, "status"); return; }
  clearErrors(PASSWORD_FIELDS, "status");
  byId("p-current").value = "";
  byId("p-new").value = "";
  status(t("Your password is changed."));
});

loadMe();
