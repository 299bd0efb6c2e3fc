// The page a reset link opens: the token rides in the link's fragment (never sent to the
// server with the page), and is sent once with the new password.
import { api, byId, showErrors } from "./api.js";

const fields = { password: "r-password" };
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
// out of the address bar and the history, now it is read
history.replaceState(null, "", location.pathname);
// the language switch opens the page again: it takes the token with it, in its fragment
for (const link of document.querySelectorAll(".languages a")) link.hash = `token=${encodeURIComponent(token)}`;

byId("choose").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { response, body } = await api("/auth/reset", {
    method: "POST",
    json: { token, password: byId("r-password").value },
  });
  if (response.ok) {
    byId("choose").hidden = true;
    byId("r-done").hidden = false;
    return;
  }
  showErrors(body, fields, "r-error");
});
