// Bar charts drawn as SVG, for the results and the self-assessment: one row per option (or
// characteristic), its name above one bar or a few (one per group or assessment), each bar's
// figure at its end. A chart is an image with a name; the table beside it holds its figures.
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 420;
const BAR = 14;
const GAP = 4;
const LABEL = 16;
const FIGURE = 56; // room at the right for a bar's figure
const LONGEST = 60; // characters of a name on one line

function shape(tag, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

const shorten = (text) => (text.length > LONGEST ? `${text.slice(0, LONGEST - 1)}…` : text);

// `rows`: [{label, bars: [{value, text, color}]}] (a value null: no bar, its text said);
// `max`: the value a full bar stands for; `name`: what the chart shows, for screen readers.
export function barChart(rows, { max, name }) {
  const length = WIDTH - FIGURE;
  let y = 0;
  const drawn = [];
  for (const row of rows) {
    drawn.push(shape("text", { x: 0, y: y + 12 }, shorten(row.label)));
    y += LABEL + 2;
    for (const bar of row.bars) {
      const wide = bar.value === null || !max ? 0 : Math.max(0, Math.min(1, bar.value / max)) * length;
      drawn.push(
        shape("rect", { class: "track", x: 0, y, width: length, height: BAR, rx: 2 }),
        shape("rect", { x: 0, y, width: wide.toFixed(1), height: BAR, rx: 2, fill: bar.color || "#1d3557" }),
        shape("text", { x: wide + 4, y: y + BAR - 3 }, bar.text),
      );
      y += BAR + GAP;
    }
    y += 8;
  }
  const chart = shape("svg", {
    class: "chart", viewBox: `0 0 ${WIDTH} ${Math.max(y, 1)}`, role: "img", "aria-label": name,
    preserveAspectRatio: "xMinYMin meet",
  });
  chart.append(shape("title", {}, name), ...drawn);
  return chart;
}

// Colours told apart by people with the common colour-blindnesses (Okabe and Ito's).
export const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
export const COMBINED = "#1d3557";
export const HEAD_COUNT = "#777777";
