// Adding an innovation: its name, what it is and how it got going, and (for someone in the
// room) "I got this going", which names them among its leaders as they agreed to be named.
import { t } from "../page/i18n.js";
import { answeredAt, inRoom, mayAdd, room } from "./room.js";
import { byId, closeForm, openForm, showProblem, slowDown, status } from "./forms.js";
import { upsertAddition } from "./feed.js";
import { showRoom } from "./view.js";

const form = byId("innovation-form");

function close() {
  form.reset();
  closeForm("innovation-form");
  showRoom();
  byId("add-innovation").focus();
}

byId("add-innovation").addEventListener("click", () => {
  if (mayAdd()) openForm("innovation-form", "i-name");
});
form.querySelector(".cancel").addEventListener("click", close);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const innovation = { name, areas: [room.area] };
  const description = form.elements.description.value.trim();
  if (description) innovation.description = description;
  if (form.elements.mine.checked && room.participant && !room.account) {
    innovation.leaders = [{ participant: room.participant.id }];
  }
  const sent = { method: "POST", body: JSON.stringify(innovation) };
  const { response, body } = await inRoom("/innovations", sent);
  if (response.status === 429) { slowDown(form, body); return; }
  if (!response.ok) { showProblem(form, body, t("It could not be added: try again.")); return; }
  const added = { id: body.addition, type: "innovation", status: body.status, at: answeredAt(response) };
  upsertAddition({ ...added, innovation: { id: body.innovation_id, name } }, true);
  close();
  status(body.status === "pending"
    ? t("Added the innovation {name}: it waits for the facilitators", { name })
    : t("Added the innovation {name}", { name }));
});
