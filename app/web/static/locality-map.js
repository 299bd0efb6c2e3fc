/* A locality map's assets (app/web/maps.py): read from the area's GeoJSON export, which
   shows each asset as the public may see it, and clustered, each a dot coloured by kind
   with a tooltip and a popup (name, kind and category, address, contact, when last
   verified); grey when no one has confirmed it for a year. Text is set as text, never as
   HTML. When every asset is on the map, the page's body carries data-assets-loaded with
   their number (or data-assets-failed with why not). Its words come from the map's page, in
   the map's language (`words`: sentences with {x} to fill, and names of kinds, categories
   and outcomes by slug). */
"use strict";

function assetmapSay(sentence, x) {
  return sentence.replace("{x}", () => String(x));
}

window.assetmapLoadAssets = function (cluster, url, options) {
  const words = options.words;
  const staleBefore = Date.now() - options.staleDays * 86400000;

  function line(parent, text, tag) {
    const element = document.createElement(tag || "div");
    element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  function popup(found, stale) {
    const box = document.createElement("div");
    line(box, found.name, "strong");
    const category = found.category ? words.categories[found.category] || found.category : words.noCategory;
    line(box, `${words.kinds[found.kind] || found.kind}, ${category}`);
    const address = [found.address, found.postcode].filter(Boolean).join(", ");
    if (address) line(box, address);
    const contact = found.contact || {};
    for (const key of ["phone", "email", "website"]) {
      if (contact[key]) line(box, assetmapSay(words[key], contact[key]));
    }
    const verified = found.verified_at ? found.verified_at.slice(0, 10) : words.never;
    line(box, assetmapSay(words.verified, verified));
    if (stale) line(box, words.stale, "em");
    return box;
  }

  function marker(feature) {
    const found = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    const stale = Date.parse(found.verified_at || found.created_at) < staleBefore;
    const dot = document.createElement("div");
    dot.className = stale ? "asset-dot stale" : "asset-dot";
    Object.assign(dot.style, {
      background: stale ? options.staleColour : options.colours[found.kind] || "#666",
      width: "14px",
      height: "14px",
      borderRadius: "7px",
      opacity: stale ? "0.6" : "1",
      border: "2px solid #fff",
      boxShadow: "0 0 2px #000",
    });
    const icon = L.divIcon({ html: dot, className: "", iconSize: [18, 18], iconAnchor: [9, 9] });
    const shown = L.marker([lat, lon], { icon, title: found.name });
    const name = document.createElement("span");
    name.textContent = stale ? assetmapSay(words.staleName, found.name) : found.name;
    shown.bindTooltip(name);
    shown.bindPopup(() => popup(found, stale), { maxWidth: 320 });
    return shown;
  }

  // a busy service says when to come back (503 with Retry-After): try again a few times
  function load(triesLeft) {
    return fetch(url, { headers: { Accept: "application/geo+json" } }).then((response) => {
      if (response.status === 503 && triesLeft > 0) {
        const seconds = Number(response.headers.get("Retry-After")) || 5;
        return new Promise((resolve) => setTimeout(resolve, seconds * 1000)).then(() =>
          load(triesLeft - 1),
        );
      }
      if (!response.ok) throw new Error(assetmapSay(words.assetsFailed, response.status));
      return response.json();
    });
  }

  load(3)
    .then((collection) => {
      const markers = collection.features.map(marker);
      cluster.addLayers(markers);
      document.body.dataset.assetsLoaded = String(markers.length);
    })
    .catch((error) => {
      document.body.dataset.assetsFailed = error.message;
      const notice = line(document.body, assetmapSay(words.reload, error.message));
      notice.className = "map-notice";
      notice.setAttribute("role", "alert");
      Object.assign(notice.style, {
        position: "fixed",
        top: "12px",
        left: "60px",
        zIndex: "1000",
        background: "#fff",
        padding: "6px 10px",
        border: "1px solid #b00",
      });
    });
};

/* The area's innovations: each a star at the public points of the assets it involves (or
   at its areas' points), with a popup (name, where it stands, its outcomes, who got it
   going and how). Text set as text. The body carries data-innovations-loaded when done. */
window.assetmapLoadInnovations = function (layer, url, colour, words) {
  function line(parent, text, tag) {
    const element = document.createElement(tag || "div");
    element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  function popup(found) {
    const box = document.createElement("div");
    line(box, found.name, "strong");
    line(box, assetmapSay(words.innovation, found.status));
    const outcomes = found.outcomes.map((slug) => words.outcomeNames[slug] || slug);
    if (outcomes.length) line(box, assetmapSay(words.outcomes, outcomes.join(", ")));
    const leaders = found.leaders.map((leader) =>
      leader.asset ? leader.asset.name : leader.participant.display_name,
    );
    if (found.leaders_not_shown) leaders.push(assetmapSay(words.more, found.leaders_not_shown));
    if (leaders.length) line(box, assetmapSay(words.leaders, leaders.join(", ")));
    if (found.levers.length) line(box, assetmapSay(words.levers, found.levers.join(", ")));
    return box;
  }

  fetch(url, { headers: { Accept: "application/geo+json" } })
    .then((response) => {
      if (!response.ok) throw new Error(assetmapSay(words.innovationsFailed, response.status));
      return response.json();
    })
    .then((collection) => {
      for (const feature of collection.features) {
        for (const [lon, lat] of feature.geometry.coordinates) {
          const star = document.createElement("div");
          star.className = "innovation-star";
          star.textContent = "\u2605";
          Object.assign(star.style, { color: colour, fontSize: "22px", textShadow: "0 0 2px #000" });
          const icon = L.divIcon({ html: star, className: "", iconSize: [22, 22], iconAnchor: [11, 11] });
          const marker = L.marker([lat, lon], { icon, title: feature.properties.name });
          marker.bindPopup(() => popup(feature.properties), { maxWidth: 320 });
          layer.addLayer(marker);
        }
      }
      document.body.dataset.innovationsLoaded = String(collection.features.length);
    })
    .catch((error) => {
      document.body.dataset.innovationsFailed = error.message;
    });
};
