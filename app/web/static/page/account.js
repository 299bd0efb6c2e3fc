// Signing in and out. The tab keeps the token (api.js) until it is closed or expires.
import { api, session, state, token } from "./api.js";
import { byId, status } from "./dom.js";
import { t } from "./i18n.js";
import { loadAssets } from "./map.js";
import { closePanel, show } from "./panel.js";

// Each role, in words.
const ROLES = {
  contributor: t("contributor"), moderator: t("moderator"), analyst: t("analyst"), admin: t("admin"),
};

export const moderates = (account) => Boolean(account) && ["moderator", "admin"].includes(account.role);

function showAccount() {
  const account = state.account;
  byId("account-name").textContent = account ? t("{email} ({role})", { email: account.email, role: ROLES[account.role] || account.role }) : "";
  byId("sign-in-open").hidden = Boolean(account);
  byId("sign-out").hidden = !account;
  byId("queue-open").hidden = !account;
  byId("people-link").hidden = !account || account.role !== "admin";
  byId("queue-open").textContent = moderates(account) ? t("Review queue") : t("Your suggestions");
}

function signedOut(message) {
  token.forget();
  state.account = null;
  showAccount();
  if (message) status(message);
}

session.expired = () => signedOut(t("Your sign-in has expired: sign in again."));

export async function loadAccount() {
  if (!token.get()) return;
  const { response, body } = await api("/auth/me");
  state.account = response.ok ? body : null;
  showAccount();
}

byId("sign-in-open").addEventListener("click", () => { show("sign-in"); byId("s-email").focus(); });
byId("sign-out").addEventListener("click", async () => {
  signedOut(t("Signed out"));
  closePanel();
  await loadAssets();
});
byId("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  byId("sign-in-error").textContent = "";
  const response = await fetch("/auth/token", {
    method: "POST",
    body: new URLSearchParams({ username: byId("s-email").value, password: byId("s-password").value }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    byId("sign-in-error").textContent = (body && body.detail) || t("Signing in failed.");
    return;
  }
  token.keep(body.access_token);
  byId("s-password").value = "";
  await loadAccount();
  closePanel();
  status(t("Signed in as {email}", { email: state.account.email }));
});
