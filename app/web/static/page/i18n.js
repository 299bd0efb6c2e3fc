// The page's words in the reader's language: the catalogue's translations of the scripts'
// strings come written into the page (the "messages" script, from app/i18n), and t() reads
// them. "{name}" in a message is filled from `values`; a string the catalogue lacks stays
// as written (English).
const element = document.getElementById("messages");
const messages = element ? JSON.parse(element.textContent) : {};

export function t(text, values = {}) {
  const said = messages[text] || text;
  return said.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
