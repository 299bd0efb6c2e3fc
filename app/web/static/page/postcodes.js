// Postcodes, from the service's offline lookup (GET /postcodes/{postcode}): the search and
// the form go to one when it is typed.
import { api } from "./api.js";
import { t } from "./i18n.js";

// A whole UK postcode, in any case and spacing ("m32 0jt", "M320JT").
const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$/i;

export const looksLikePostcode = (text) => POSTCODE.test(text.trim());

// {place} (postcode, lon, lat, lsoa_name, ward_name...) when the lookup holds it, or
// {problem}: what the service said instead.
export async function findPostcode(text) {
  const { response, body } = await api(`/postcodes/${encodeURIComponent(text.trim())}`);
  if (response.ok) return { place: body };
  const said = (body && body.detail) || t("{postcode} could not be looked up", { postcode: text.trim() });
  return { problem: said.charAt(0).toUpperCase() + said.slice(1) };
}
