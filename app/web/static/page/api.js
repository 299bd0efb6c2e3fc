// The HTTP API as the page calls it (JSON both ways, with the bearer token of whoever signed
// in on this tab), and the state the page's parts share.

export const state = {
  taxonomy: [], // the kinds, each with its category tree (GET /taxonomy)
  categories: [], // the category tree, flattened: {slug, name, kind, depth}
  outcomes: [], // GET /outcomes
  linkTypes: [], // how each type of link reads from either end: {type, label, inverse}
  account: null, // who signed in (GET /auth/me)
  localities: [], // the local authorities the service holds: {code, name} (GET /authorities)
  within: null, // the local authority the page opened on, {code, name}, or null (authority.js)
  editing: null, // the asset the panel shows or edits, as a Feature
  where: null, // where the form's asset goes (a Leaflet LatLng)
  placed: null, // how `where` was chosen: "click", "centre", "postcode" or "asset" (form.js)
  draft: null, // the form holds what was typed and not saved, for {id, feature} (form.js)
};

// The token is kept for the tab's life only.
const TOKEN_KEY = "assetmap.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  keep: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

// What to do when the API no longer takes the tab's token (account.js signs out).
export const session = { expired: () => token.forget() };

export async function api(path, options = {}) {
  const bearer = token.get();
  const headers = { "Content-Type": "application/json", ...(options.headers || {}) };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && bearer) session.expired();
  return { response, body };
}

// The features of a FeatureCollection at `path`, a page at a time (following its `next`
// links), each page handed to `take` as it comes, until `most` came or no page follows.
// Resolves to {read, more} (more: features were left unread) or {problem} when the service
// refused; rejects with an AbortError when `signal` aborts.
export async function readPages(path, { most, take, signal, pageSize = 1000 }) {
  let next = new URL(path, location.href);
  let read = 0;
  while (next) {
    next.searchParams.set("limit", String(Math.min(pageSize, most - read)));
    const { response, body } = await api(next.pathname + next.search, { signal });
    if (!response.ok || !body) return { read, problem: (body && body.detail) || response.statusText };
    take(body.features);
    read += body.features.length;
    const link = (body.links || []).find((candidate) => candidate.rel === "next");
    next = link ? new URL(link.href, location.href) : null;
    if (next && read >= most) return { read, more: true };
  }
  return { read, more: false };
}
