// Hexcover coverage map. Plain browser script (no build step): Leaflet (global L) and
// topojson-client (global topojson) are loaded before it by index.html, from this same server.
// Hexes come from GET /v1/coverage at a resolution that follows the zoom; a click shows
// GET /v1/cells/:cell; hotspot markers come from GET /v1/hotspots?bbox= when zoomed in.
(() => {
  "use strict";

  // Score classes of the legend (docs/COVERAGE.md "Coverage score"); ColorBrewer RdYlGn.
  const SCORE_CLASSES = [
    { min: 80, color: "#1a9641", label: "80–100 strong" },
    { min: 60, color: "#a6d96a", label: "60–79 good" },
    { min: 40, color: "#ffffbf", label: "40–59 fair" },
    { min: 20, color: "#fdae61", label: "20–39 weak" },
    { min: 0, color: "#d7191c", label: "0–19 presence only" },
  ];
  // Zoom → H3 resolution: about 10–40 px per hex edge on screen, never beyond the index's 4..8.
  const RES_BY_ZOOM = [4, 4, 4, 4, 4, 4, 5, 6, 7, 7, 8];
  const BASE_RES = 8;
  // Hotspot markers only when a base cell is at least a few pixels wide.
  const MARKER_MIN_ZOOM = 10;
  // The API's page limit (MAX_PAGE_LIMIT) and how many pages one view may fetch.
  const PAGE_LIMIT = 5000;
  const MAX_PAGES = 4;
  // Web Mercator stops at ±85.05°; h3 and the API want real latitudes.
  const MAX_MERCATOR_LAT = 85.05;

  const status = document.getElementById("status");
  const details = document.getElementById("details");
  const detailsBody = document.getElementById("details-body");
  document.getElementById("details-close").addEventListener("click", () => {
    details.hidden = true;
  });

  const map = L.map("map", { minZoom: 2, maxZoom: 16, worldCopyJump: false, zoomControl: true });
  map.attributionControl.addAttribution("Basemap: Natural Earth (world-atlas)");
  // The basemap gets its own pane below the overlay pane (z-index 400), so hexes draw above it.
  map.createPane("basemap");
  map.getPane("basemap").style.zIndex = "350";
  const basemapRenderer = L.canvas({ padding: 0.5, pane: "basemap" });
  let epoch = "latest";
  let generation = 0;
  let inflight = null;

  const hexLayer = L.geoJSON(null, {
    style: (f) => ({
      color: "#333",
      weight: 0.6,
      fillColor: colorOf(f.properties.score),
      fillOpacity: 0.6,
      className: "hex",
    }),
    onEachFeature: (f, layer) => {
      layer.on("click", (e) => {
        L.DomEvent.stopPropagation(e);
        showCell(f.properties.cell);
      });
    },
  }).addTo(map);
  const markerLayer = L.layerGroup().addTo(map);

  function colorOf(score) {
    for (const c of SCORE_CLASSES) if (score >= c.min) return c.color;
    return SCORE_CLASSES[SCORE_CLASSES.length - 1].color;
  }

  function resForZoom(zoom) {
    const z = Math.max(0, Math.round(zoom));
    return z < RES_BY_ZOOM.length ? RES_BY_ZOOM[z] : BASE_RES;
  }

  function viewBbox() {
    const b = map.getBounds().pad(0.1);
    const minLng = Math.max(-180, b.getWest());
    const maxLng = Math.min(180, b.getEast());
    const minLat = Math.max(-MAX_MERCATOR_LAT, b.getSouth());
    const maxLat = Math.min(MAX_MERCATOR_LAT, b.getNorth());
    if (!(minLng < maxLng && minLat < maxLat)) return null;
    return [minLng, minLat, maxLng, maxLat].map((v) => v.toFixed(5)).join(",");
  }

  async function getJson(url, signal) {
    const response = await fetch(url, { signal });
    const body = await response.json();
    if (!response.ok) throw new Error(body && body.error ? body.error.message : `HTTP ${response.status}`);
    return body;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  async function refresh() {
    const bbox = viewBbox();
    if (bbox === null) return;
    const res = resForZoom(map.getZoom());
    const mine = ++generation;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const signal = inflight.signal;
    document.body.dataset.state = "loading";
    try {
      const features = [];
      let cursor = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const url = `/v1/coverage?bbox=${bbox}&res=${res}&epoch=${epoch}&limit=${PAGE_LIMIT}${cursor ? `&cursor=${cursor}` : ""}`;
        const fc = await getJson(url, signal);
        features.push(...fc.features);
        cursor = fc.next;
        if (!cursor) break;
      }
      let hotspots = [];
      if (map.getZoom() >= MARKER_MIN_ZOOM) {
        const fc = await getJson(`/v1/hotspots?bbox=${bbox}&epoch=${epoch}&limit=${PAGE_LIMIT}`, signal);
        hotspots = fc.features;
      }
      if (mine !== generation) return;
      hexLayer.clearLayers();
      hexLayer.addData({ type: "FeatureCollection", features });
      markerLayer.clearLayers();
      for (const h of hotspots) {
        const [lng, lat] = h.geometry.coordinates;
        const marker = L.circleMarker([lat, lng], { radius: 4, color: "#fff", weight: 1.5, fillColor: "#2b3a8c", fillOpacity: 1, className: "hotspot-marker" });
        marker.bindTooltip(`hotspot ${h.properties.key}`);
        marker.on("click", (e) => {
          L.DomEvent.stopPropagation(e);
          showHotspot(h.properties.key);
        });
        markerLayer.addLayer(marker);
      }
      status.textContent = `epoch ${epoch} · res ${res} · ${features.length} hexes${cursor ? " (truncated, zoom in)" : ""} · ${hotspots.length} hotspots`;
      document.body.dataset.hexes = String(features.length);
      document.body.dataset.res = String(res);
      document.body.dataset.state = "ready";
    } catch (err) {
      if (err.name === "AbortError") return;
      status.textContent = `error: ${err.message}`;
      document.body.dataset.state = "error";
    }
  }

  function row(name, value) {
    return `<tr><td>${escapeHtml(name)}</td><td>${value}</td></tr>`;
  }

  async function showCell(cell) {
    details.hidden = false;
    detailsBody.innerHTML = "loading…";
    try {
      const c = await getJson(`/v1/cells/${cell}?epoch=${epoch}`);
      const rssi = (d) => (d === null ? "–" : `${(d / 10).toFixed(1)} dBm`);
      const covering = c.coveringHotspots
        .map((h) => `<li><code>${escapeHtml(h.key)}</code> ${h.reports}× best ${rssi(h.bestRssiDeciDbm)}</li>`)
        .join("");
      const located = c.locatedHotspots.map((h) => `<li><code>${escapeHtml(h.key)}</code></li>`).join("");
      detailsBody.innerHTML =
        `<h2 id="details-cell">Cell ${escapeHtml(c.cell)}</h2><table>` +
        row("resolution", c.resolution) +
        row("score", `<span id="details-score">${c.score}</span> / 100 <span class="score-bar" style="width:${c.score}px;background:${colorOf(c.score)}"></span>`) +
        row("active hotspots", c.activeHotspots) +
        row("valid beacons", c.validBeacons) +
        row("valid witnesses", c.validWitnesses) +
        row("best RSSI", rssi(c.bestRssiDeciDbm)) +
        row("median RSSI", c.medianRssiDbm === null ? "–" : `${c.medianRssiDbm} dBm (${c.rssiSamples} samples)`) +
        row("last seen epoch", c.lastSeenEpoch) +
        row("snapshot", `epoch ${c.epoch} (window from ${c.windowFromEpoch})`) +
        (c.resolution < BASE_RES ? row("indexed base cells", c.baseCells) : "") +
        `</table><h3>Covering hotspots (${c.coveringHotspotCount})</h3><ul>${covering || "<li>none</li>"}</ul>` +
        `<h3>Located here (${c.activeHotspots})</h3><ul>${located || "<li>none</li>"}</ul>`;
    } catch (err) {
      detailsBody.textContent = `error: ${err.message}`;
    }
  }

  async function showHotspot(key) {
    details.hidden = false;
    detailsBody.innerHTML = "loading…";
    try {
      const h = await getJson(`/v1/hotspots/${encodeURIComponent(key)}`);
      detailsBody.innerHTML =
        `<h2>Hotspot</h2><p><code>${escapeHtml(h.key)}</code></p><table>` +
        row("location", `<code>${escapeHtml(h.location)}</code>`) +
        row("gain", `${(h.gainDeciDbi / 10).toFixed(1)} dBi`) +
        row("valid beacons", h.validBeacons) +
        row("witnesses of its beacons", h.witnessesOfBeacons) +
        row("witness reports made", h.witnessReportsMade) +
        row("active in snapshot", h.active ? "yes" : "no") +
        row("last active epoch", h.lastActiveEpoch === null ? "–" : h.lastActiveEpoch) +
        "</table>";
    } catch (err) {
      detailsBody.textContent = `error: ${err.message}`;
    }
  }

  function addLegend() {
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      div.id = "legend";
      div.innerHTML =
        "<h3>Coverage score</h3>" +
        SCORE_CLASSES.map((c) => `<div><i style="background:${c.color}"></i>${c.label}</div>`).join("") +
        '<div><i style="background:#2b3a8c;border-radius:50%"></i>hotspot</div>';
      return div;
    };
    legend.addTo(map);
  }

  let epochSelect = null;
  let knownLatest = null;

  function fillEpochOptions(epochs) {
    const selected = epochSelect.value || "latest";
    epochSelect.replaceChildren(new Option("latest", "latest"));
    for (const e of epochs) {
      const when = new Date(e.finalizedAt).toISOString().slice(0, 16).replace("T", " ");
      epochSelect.add(new Option(`${e.epoch} · ${when}`, String(e.epoch)));
    }
    epochSelect.value = [...epochSelect.options].some((o) => o.value === selected) ? selected : "latest";
  }

  function addEpochSelector(epochs) {
    const control = L.control({ position: "topright" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "epoch-control");
      div.innerHTML = '<label for="epoch-select">Epoch</label><select id="epoch-select"></select>';
      epochSelect = div.querySelector("select");
      fillEpochOptions(epochs);
      epochSelect.addEventListener("change", () => {
        epoch = epochSelect.value;
        details.hidden = true;
        refresh();
      });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(map);
  }

  function fitToExtent(epochs) {
    const extent = epochs.length > 0 ? epochs[0].extent : null;
    if (extent) map.fitBounds([[extent[1], extent[0]], [extent[3], extent[2]]], { padding: [20, 20], maxZoom: 12 });
    return extent !== null;
  }

  // New epochs are finalized while the page is open: refresh the selector, and the hexes when the
  // user is looking at "latest". Only this server is asked. `?pollMs=` overrides the period.
  const EPOCH_POLL_MS = Number(new URLSearchParams(location.search).get("pollMs")) || 15000;
  async function pollEpochs() {
    try {
      const body = await getJson("/v1/epochs");
      if (body.latest === knownLatest) return;
      const first = knownLatest === null;
      knownLatest = body.latest;
      fillEpochOptions(body.epochs);
      if (first && fitToExtent(body.epochs)) return; // the move triggers a refresh
      if (epoch === "latest") refresh();
    } catch (err) {
      status.textContent = `error: ${err.message}`;
    }
  }

  // Natural Earth detail by zoom: 1:110m for the globe, 1:50m for continents, 1:10m (3.6 MB,
  // loaded on first use) for regions and cities, where the coarser coastlines are visibly off.
  const BASEMAP_DETAIL = [
    { minZoom: 7, file: "/basemap/countries-10m.json" },
    { minZoom: 4, file: "/basemap/countries-50m.json" },
    { minZoom: 0, file: "/basemap/countries-110m.json" },
  ];
  const basemapLayers = new Map();
  let basemapShown = null;

  async function basemapLayer(file) {
    let layer = basemapLayers.get(file);
    if (layer === undefined) {
      const topo = await getJson(file);
      layer = L.geoJSON(topojson.feature(topo, topo.objects.countries), {
        pane: "basemap",
        renderer: basemapRenderer,
        interactive: false,
        style: { color: "#8c8c8c", weight: 0.7, fillColor: "#f2efe6", fillOpacity: 1 },
      });
      basemapLayers.set(file, layer);
    }
    return layer;
  }

  async function updateBasemap() {
    const zoom = map.getZoom();
    const { file } = BASEMAP_DETAIL.find((d) => zoom >= d.minZoom);
    if (basemapShown === file) return;
    basemapShown = file;
    const layer = await basemapLayer(file);
    if (basemapShown !== file) return; // the zoom changed while loading
    for (const other of basemapLayers.values()) if (other !== layer) map.removeLayer(other);
    layer.addTo(map);
    document.body.dataset.basemap = file;
  }

  async function start() {
    addLegend();
    let epochs = [];
    try {
      const body = await getJson("/v1/epochs");
      epochs = body.epochs;
      knownLatest = body.latest;
    } catch (err) {
      status.textContent = `error: ${err.message}`;
    }
    addEpochSelector(epochs);
    if (!fitToExtent(epochs)) map.setView([20, 0], 2);
    const basemap = () =>
      updateBasemap().catch((err) => {
        status.textContent = `basemap error: ${err.message}`;
      });
    await basemap();
    map.on("zoomend", basemap);
    map.on("moveend", refresh);
    setInterval(pollEpochs, EPOCH_POLL_MS);
    if (epochs.length === 0) {
      status.textContent = "no epoch indexed yet: waiting for the first finalized epoch";
      document.body.dataset.state = "empty";
      return;
    }
    await refresh();
  }

  start();
})();
